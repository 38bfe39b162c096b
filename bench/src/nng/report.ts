// Turns raw bench samples into rows (median with min-max over runs) and
// prints the one table, with ratios to the raw node:net floor and the
// targets the package is measured against.
import { num, percentile, type Spread, showSpread as show, spread } from "../stats.js";
import { columns, printTargets, ratio, showRatios, type Target } from "../table.js";
import type { ImplName } from "./impls.js";

export interface Row {
  scenario: string;
  impl: ImplName;
  /** Round trips/s (REQ/REP) or messages/s (PUSH/PULL). */
  rate?: Spread;
  mbPerSec?: Spread;
  p50us?: Spread;
  p99us?: Spread;
  /** Per run, in run order: p50 µs (REQ/REP) or messages/s (PUSH/PULL); ratios pair runs. */
  perRun?: number[];
  /** Per-run ratio to raw: p50 latency ratio (REQ/REP) or rate ratio (PUSH/PULL). */
  vsRaw?: Spread;
  error?: string;
}

export const summarize = {
  /** `runs`: per run, each round trip's latency in µs. */
  latency(scenario: string, impl: ImplName, runs: number[][]): Row {
    const sorted = runs.map((r) => [...r].sort((a, b) => a - b));
    const p50s = sorted.map((s) => percentile(s, 50));
    return {
      scenario,
      impl,
      rate: spread(runs.map((r) => r.length / (r.reduce((a, b) => a + b, 0) / 1e6))),
      p50us: spread(p50s),
      p99us: spread(sorted.map((s) => percentile(s, 99))),
      perRun: p50s,
    };
  },
  /** `seconds`: per run, the time from the first send to the last message received. */
  throughput(size: number, impl: ImplName, count: number, seconds: number[]): Row {
    const label = size >= 1024 ? `${size / 1024} KiB` : `${size} B`;
    const rates = seconds.map((s) => count / s);
    return {
      scenario: `PUSH/PULL ${label}`,
      impl,
      rate: spread(rates),
      mbPerSec: spread(seconds.map((s) => (count * size) / 1e6 / s)),
      perRun: rates,
    };
  },
};

export type { Target };

/** Fills `vsRaw` on every row from the raw row of its scenario, run by run. */
function addRatios(rows: Row[]): void {
  for (const r of rows) {
    const base = rows.find((b) => b.impl === "raw" && b.scenario === r.scenario);
    if (r.impl === "raw" || !base?.perRun || !r.perRun) continue;
    r.vsRaw = spread(r.perRun.map((x, i) => x / base.perRun![i]!));
  }
}

export function printTable(rows: Row[], meta: Record<string, unknown>): Target[] {
  addRatios(rows);
  const header = [
    "scenario",
    "impl",
    "rate/s median (min-max)",
    "MB/s",
    "p50 µs",
    "p99 µs",
    "vs raw, per-run ratio",
  ];
  const lines = rows.map((r) => {
    if (r.error) return [r.scenario, r.impl, `ERROR: ${r.error}`, "", "", "", ""];
    // Latency rows compare p50 (lower is better), throughput rows compare rate.
    const vs = r.vsRaw ? `${showRatios(r.vsRaw)} ${r.p50us ? "p50" : "rate"}` : "";
    return [r.scenario, r.impl, show(r.rate), show(r.mbPerSec), show(r.p50us), show(r.p99us), vs];
  });
  const { fmt, rule } = columns(header, lines);
  console.log(
    `\n@portable-plugins/nng bench: ${meta.transport}, ${meta.runs} runs per row, ` +
      `node ${meta.node}, ${meta.cpus}${meta.quick ? " [QUICK: smoke run, not figures]" : ""}\n`,
  );
  console.log(fmt(header));
  console.log(rule);
  for (const l of lines) console.log(fmt(l));

  const ours = (scenario: string) => rows.find((r) => r.impl === "nng" && r.scenario === scenario);
  const rrRatio = ours("REQ/REP 100 B")?.vsRaw?.median;
  const pp = ours("PUSH/PULL 100 B");
  const targets: Target[] = [
    {
      what: "REQ/REP p50 latency vs raw (median of per-run ratios)",
      target: "<= 1.3x",
      measured: rrRatio === undefined ? "n/a" : ratio(rrRatio),
      met: rrRatio === undefined ? undefined : rrRatio <= 1.3,
    },
    {
      what: "PUSH/PULL 100 B msgs/s",
      target: ">= 300k",
      measured: pp?.rate ? num(pp.rate.median) : "n/a",
      met: pp?.rate ? pp.rate.median >= 300_000 : undefined,
    },
  ];
  printTargets(targets);
  return targets;
}
