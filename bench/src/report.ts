// Rows of the one table: a figure per scenario and implementation (median
// with min-max over runs), its ratio to the floor of the same run, and the
// targets the hot paths are measured against. Printing and JSON only.
import { EXEC_TS_TYPED } from "./scenarios/exec.js";
import { GO_HOST } from "./scenarios/exec-gohost.js";
import { FLOOD_PREFIX } from "./scenarios/flood-name.js";
import { TS_V1 } from "./scenarios/ingest.js";
import { num, percentile, type Spread, showSpread, spread } from "./stats.js";
import { columns, printTargets, ratio, showRatios, type Target } from "./table.js";

export const FLOOR = "raw floor";

export interface Row {
  scenario: string;
  impl: string;
  unit: string;
  value?: Spread;
  mbPerSec?: Spread;
  p50us?: Spread;
  p99us?: Spread;
  /** Per run, in run order: the figure the ratio pairs with the floor's run. */
  perRun?: number[];
  /** The impl whose row of this scenario is this row's floor; none: no ratio. */
  floor?: string;
  vsFloor?: Spread;
  error?: string;
  /** How this row differs from the others of its scenario; printed under the table. */
  note?: string;
}

export const summarize = {
  /**
   * `runs`: per run, each call's latency in µs; the figure is calls/s, over
   * the sum of the latencies, or over `wallUs` when the calls overlapped.
   */
  latency(
    scenario: string,
    impl: string,
    runs: Array<number[] & { wallUs?: number }>,
    floor?: string,
  ): Row {
    const sorted = runs.map((r) => [...r].sort((a, b) => a - b));
    const rates = runs.map((r) => r.length / ((r.wallUs ?? r.reduce((a, b) => a + b, 0)) / 1e6));
    return {
      scenario,
      impl,
      unit: "calls/s",
      value: spread(rates),
      p50us: spread(sorted.map((s) => percentile(s, 50))),
      p99us: spread(sorted.map((s) => percentile(s, 99))),
      perRun: rates,
      ...(floor ? { floor } : {}),
    };
  },
  /** `seconds`: per run, the time `count` rows of `size` bytes took. */
  throughput(
    scenario: string,
    impl: string,
    count: number,
    size: number,
    seconds: number[],
    floor?: string,
  ): Row {
    const rates = seconds.map((s) => count / s);
    return {
      scenario,
      impl,
      unit: "rows/s",
      value: spread(rates),
      mbPerSec: spread(seconds.map((s) => (count * size) / 1e6 / s)),
      perRun: rates,
      ...(floor ? { floor } : {}),
    };
  },
  /** Any other figure, one per run (ms, MB). */
  plain(scenario: string, impl: string, unit: string, xs: number[], floor?: string): Row {
    return { scenario, impl, unit, value: spread(xs), perRun: xs, ...(floor ? { floor } : {}) };
  },
};

/** Fills `vsFloor` from each row's floor row, run by run. */
function addRatios(rows: Row[]): void {
  for (const r of rows) {
    const base = rows.find((b) => b.impl === r.floor && b.scenario === r.scenario);
    if (!base?.perRun || !r.perRun) continue;
    const n = Math.min(base.perRun.length, r.perRun.length);
    if (n === 0) continue;
    r.vsFloor = spread(r.perRun.slice(0, n).map((x, i) => x / base.perRun![i]!));
  }
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export type { Target };

/** Median over runs of `a`'s figure over `b`'s of the same run. */
function perRunRatio(a: Row | undefined, b: Row | undefined): number | undefined {
  const n = Math.min(a?.perRun?.length ?? 0, b?.perRun?.length ?? 0);
  return n === 0
    ? undefined
    : spread(a!.perRun!.slice(0, n).map((x, i) => x / b!.perRun![i]!)).median;
}

function targets(rows: Row[]): Target[] {
  const find = (scenario: string, impl: string) =>
    rows.find((r) => r.scenario === scenario && r.impl === impl && !r.error);
  const EXEC = "function Exec (sequential)";
  const exec = find(EXEC, "ts")?.vsFloor?.median;
  const ingest = find("source ingest 100 B", "ts")?.value?.median;
  const v2OverV1 = perRunRatio(
    find("source ingest 100 B", "ts"),
    find("source ingest 100 B", TS_V1),
  );
  const share = find("cold start: host share", "ts")?.value?.median;
  const [ours, goHost] = [find(EXEC, "go"), find(EXEC, GO_HOST)];
  const goHosts = perRunRatio(ours, goHost);
  const p50s = `p50 ${num(ours?.p50us?.median ?? 0)} vs ${num(goHost?.p50us?.median ?? 0)} µs`;
  const p99s = `p99 ${num(ours?.p99us?.median ?? 0)} vs ${num(goHost?.p99us?.median ?? 0)} µs`;
  const v2 = rows.find((r) => r.scenario === EXEC && r.impl.startsWith("ts v2") && !r.error);
  const v2vsV1 = perRunRatio(v2, find(EXEC, "ts"));
  const v2vsFloor = v2?.vsFloor?.median;
  const typedVsUntyped = perRunRatio(find(EXEC, EXEC_TS_TYPED), find(EXEC, "ts"));
  const flood = rows.find((r) => r.scenario.startsWith(FLOOD_PREFIX) && r.impl === "ts v2, slope");
  const floodSlope = flood?.error ? undefined : flood?.value?.median;
  return [
    {
      what: "Exec TS typed signature vs untyped, v1 sequential (median of per-run ratios)",
      target: ">= 0.95x",
      measured: typedVsUntyped === undefined ? "n/a" : ratio(typedVsUntyped),
      met: typedVsUntyped === undefined ? undefined : typedVsUntyped >= 0.95,
    },
    {
      what: "v2 Exec TS<->TS, 16 concurrent callers, vs v1 sequential (median of per-run ratios)",
      target: ">= 10x",
      measured: v2vsV1 === undefined ? "n/a" : ratio(v2vsV1),
      met: v2vsV1 === undefined ? undefined : v2vsV1 >= 10,
    },
    {
      what: "v2 Exec TS<->TS, 16 concurrent callers, vs raw ping-pong (median of per-run ratios)",
      target: ">= 10x",
      measured: v2vsFloor === undefined ? "n/a" : ratio(v2vsFloor),
      met: v2vsFloor === undefined ? undefined : v2vsFloor >= 10,
    },
    {
      what: "Exec TS<->TS calls/s vs raw ping-pong (median of per-run ratios)",
      target: ">= 0.80x",
      measured: exec === undefined ? "n/a" : ratio(exec),
      met: exec === undefined ? undefined : exec >= 0.8,
    },
    {
      what: "Exec Go plugin calls/s, our host vs a Go host on mangos (median of per-run ratios)",
      target: ">= 1.00x",
      measured: goHosts === undefined ? "n/a" : `${ratio(goHosts)} (${p50s}, ${p99s})`,
      met: goHosts === undefined ? undefined : goHosts >= 1,
    },
    {
      what: "source ingest 100 B TS->TS rows/s",
      target: ">= 300k",
      measured: ingest === undefined ? "n/a" : num(ingest),
      met: ingest === undefined ? undefined : ingest >= 300_000,
    },
    {
      what: "v2 source ingest 100 B TS->TS vs v1 (ts / ts v1, median of per-run ratios)",
      target: ">= 3.00x",
      measured: v2OverV1 === undefined ? "n/a" : ratio(v2OverV1),
      met: v2OverV1 === undefined ? undefined : v2OverV1 >= 3,
    },
    {
      what: `${flood?.scenario ?? "host RSS under a source flood"}: slope (flat)`,
      target: "<= 1 MB/min",
      measured: floodSlope === undefined ? "n/a" : `${floodSlope.toFixed(2)} MB/min`,
      met: floodSlope === undefined ? undefined : floodSlope <= 1,
    },
    {
      what: "host share of a TS plugin's cold start",
      target: "<= 5 ms",
      measured: share === undefined ? "n/a" : `${share.toFixed(2)} ms`,
      met: share === undefined ? undefined : share <= 5,
    },
  ];
}

export function printTable(rows: Row[], meta: Record<string, unknown>): Target[] {
  addRatios(rows);
  const header = [
    "scenario",
    "impl",
    "median (min-max)",
    "unit",
    "MB/s",
    "p50 µs",
    "p99 µs",
    "vs floor",
  ];
  const notes = [...new Set(rows.flatMap((r) => (r.note ? [r.note] : [])))];
  const lines = rows.map((r) => {
    if (r.error) return [r.scenario, r.impl, clip(r.error.split("\n")[0]!, 90), "", "", "", "", ""];
    const mark = r.note ? ` [${notes.indexOf(r.note) + 1}]` : "";
    const vs = r.vsFloor ? showRatios(r.vsFloor) : "";
    return [
      r.scenario,
      `${r.impl}${mark}`,
      showSpread(r.value),
      r.unit,
      showSpread(r.mbPerSec),
      showSpread(r.p50us),
      showSpread(r.p99us),
      vs,
    ];
  });
  const { fmt, rule } = columns(header, lines);
  console.log(
    `\nportable-plugins bench: ${meta["runs"]} runs per row, ${meta["cpus"]}, node ${meta["node"]}, ` +
      `${meta["python"]}, ${meta["go"]}${meta["quick"] ? " [QUICK: smoke run, not figures]" : ""}\n`,
  );
  console.log(fmt(header));
  console.log(rule);
  let last = "";
  for (const [i, l] of lines.entries()) {
    const scenario = rows[i]!.scenario;
    console.log(fmt(scenario === last ? ["", ...l.slice(1)] : l));
    last = scenario;
  }
  for (const [i, n] of notes.entries()) console.log(`[${i + 1}] ${n}`);
  for (const r of rows.filter((x) => x.error)) {
    console.error(`\n${r.scenario} / ${r.impl} failed:\n${r.error}`);
  }
  const t = targets(rows);
  printTargets(t);
  return t;
}
