// Medians with min and max over runs, and percentiles of one run's samples:
// shared by the root bench and the nng bench (src/nng/).

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { median, min: s[0]!, max: s[s.length - 1]! };
}

/** The p-th percentile of an ascending array (nearest rank). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** `x` with 3 significant figures, `k` above 100 000. */
export function num(x: number): string {
  return x >= 100_000 ? `${(x / 1000).toFixed(0)}k` : x >= 100 ? x.toFixed(0) : x.toFixed(1);
}

export function showSpread(s: Spread | undefined): string {
  return s ? `${num(s.median)} (${num(s.min)}-${num(s.max)})` : "";
}
