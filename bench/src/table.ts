// Printing shared by the root bench and the nng bench (src/nng/): the table's
// columns, per-run ratios as text, and the targets under the table.

import type { Spread } from "./stats.js";

/** A figure measured against its target; printed, never asserted. */
export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

/** `x` as a ratio: `1.23x`. */
export const ratio = (x: number) => `${x.toFixed(2)}x`;

/** A spread of per-run ratios: `median (min-max)`. */
export function showRatios(s: Spread): string {
  return `${ratio(s.median)} (${ratio(s.min)}-${ratio(s.max)})`;
}

/**
 * Left-aligned columns, each as wide as its widest cell among `header` and `lines`:
 * `fmt` writes one line, `rule` is the dashes under the header.
 */
export function columns(header: string[], lines: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) =>
    l
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return { fmt, rule: widths.map((w) => "-".repeat(w)).join("  ") };
}

/** Prints the targets under the table. */
export function printTargets(targets: readonly Target[]): void {
  console.log("\ntargets (reported, not asserted):");
  for (const t of targets) {
    const verdict = t.met === undefined ? "not measured" : t.met ? "met" : "MISSED";
    console.log(`  ${t.what}: ${t.measured} (target ${t.target}): ${verdict}`);
  }
}
