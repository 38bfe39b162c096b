// The flood scenario's name, shared by scenarios/flood.ts and report.ts
// (report.ts must not import flood.ts, which imports it).
export const FLOOD_PREFIX = "host RSS, source flood";
export const FLOOD_SCENARIO = (seconds: number) => `${FLOOD_PREFIX} ${seconds} s`;
