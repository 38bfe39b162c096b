// The rows every scenario carries: `{"id":<7 digits>,"pad":"xxx…"}`, exactly
// `size` bytes of JSON, built the same way by the bench, the TypeScript bench
// plugin (bundled from this file) and, by the same rule, the Python one.

/** Length of `{"id":1000000,"pad":""}`: the row without its padding. */
const SKELETON = 23;

export function padFor(size: number): string {
  return "x".repeat(Math.max(0, size - SKELETON));
}

/** Row `i` (ids stay 7 digits up to 8 999 999, so every row has the same size). */
export function row(i: number, pad: string): { id: number; pad: string } {
  return { id: 1_000_000 + (i % 8_000_000), pad };
}

/** The sink bench's last row of a run: the sink reports its count when it sees it. */
export const END_MARK = "__end";
