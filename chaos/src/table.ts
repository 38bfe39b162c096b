// The chaos run's table: one row per mirror, in Markdown so that the same
// text goes into docs and notes.

import { percentile } from "@portable-plugins/bench/stats";
import type { ChaosResult } from "./chaos.js";

const ms = (x: number | undefined) => (x === undefined ? "-" : x.toFixed(0));

export function table(results: readonly ChaosResult[]): string {
  const head = [
    "mirror",
    "kills",
    "calls ok / failed / wrong",
    "rows",
    "recovery ms p50 / p95 / max",
    "restarts",
    "left: processes / sockets",
    "host RSS MB before → after",
    "seconds",
  ];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => " --- ").join("|")}|`];
  for (const r of results) {
    const sorted = [...r.recoveryMs].sort((a, b) => a - b);
    const p = (q: number) => (sorted.length === 0 ? undefined : percentile(sorted, q));
    const cells = [
      r.mirror,
      `${r.kills}${r.unrecovered > 0 ? ` (${r.unrecovered} not back)` : ""}`,
      `${r.calls.ok} / ${r.calls.failed} / ${r.calls.wrong}`,
      `${r.rows.ok}${r.rows.wrong > 0 ? ` (+${r.rows.wrong} wrong)` : ""}${r.sourceLost ? " (source lost)" : ""}`,
      `${ms(p(50))} / ${ms(p(95))} / ${ms(sorted.at(-1))}`,
      String(r.restarts),
      `${r.processesLeft.length} / ${r.socketsLeft.length}`,
      `${r.rssMb.before} → ${r.rssMb.after}`,
      String(r.seconds),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}
