// Host memory under a flood: the TS plugin's source (version 2) sends rows
// as fast as the host takes them for a minute (a few seconds in quick mode),
// in a process that is only a host (flood-child.ts). RSS is sampled once a
// second; the rows give where it started and ended (after the first tenth of
// the run, the warm-up), its maximum, and its slope (least squares, MB/min),
// which stays near 0 when memory is flat.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { PluginFolders } from "../plugins.js";
import { bundle } from "../plugins.js";
import { type Row, summarize } from "../report.js";
import { BENCH_DIR, namePrefix } from "../settings.js";
import { unique } from "../subject.js";
import { FLOOD_SCENARIO } from "./flood-name.js";

export interface FloodSample {
  s: number;
  hostRssMB: number;
  heapMB?: number;
  pluginRssMB?: number;
  rows: number;
}

export interface Flood {
  startMB: number;
  endMB: number;
  maxMB: number;
  slopeMBPerMin: number;
  rowsPerSec: number;
  /** Slope of the host's V8 heap retained after GC (MB/min): near 0 while RSS grows = no leak of JS objects. */
  heapSlopeMBPerMin?: number;
  pluginStartMB?: number;
  pluginEndMB?: number;
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** The figures of a run from its samples (the first tenth is warm-up). */
export function summarizeFlood(samples: readonly FloodSample[], seconds: number): Flood {
  const steady = samples.filter((x) => x.s >= seconds / 10);
  const use = steady.length >= 2 ? steady : samples;
  const first = use[0] as FloodSample;
  const last = use[use.length - 1] as FloodSample;
  return {
    startMB: first.hostRssMB,
    endMB: last.hostRssMB,
    maxMB: Math.max(...use.map((x) => x.hostRssMB)),
    slopeMBPerMin:
      slope(
        use.map((x) => x.s),
        use.map((x) => x.hostRssMB),
      ) * 60,
    rowsPerSec: last.s > first.s ? (last.rows - first.rows) / (last.s - first.s) : 0,
    ...(first.heapMB === undefined
      ? {}
      : {
          heapSlopeMBPerMin:
            slope(
              use.map((x) => x.s),
              use.map((x) => x.heapMB ?? 0),
            ) * 60,
        }),
    ...(first.pluginRssMB === undefined ? {} : { pluginStartMB: first.pluginRssMB }),
    ...(last.pluginRssMB === undefined ? {} : { pluginEndMB: last.pluginRssMB }),
  };
}

let childScript: Promise<string> | undefined;

export async function measureFlood(
  work: string,
  folders: PluginFolders,
  seconds: number,
): Promise<Flood> {
  childScript ??= (async () => {
    const out = join(BENCH_DIR, ".build", "flood-child.mjs");
    await bundle("src/scenarios/flood-child.ts", out, ["@portable-plugins/*"]);
    return out;
  })();
  const script = await childScript;
  const name = unique(namePrefix("ts", "mem"));
  const dir = await mkdtemp(join(work, "flood-"));
  const args = {
    folder: await folders.stage("ts", name),
    name,
    dataDir: join(dir, "data"),
    socketDir: join(dir, "sock"),
    seconds,
    size: 100,
  };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", script, JSON.stringify(args)],
    {
      timeout: (seconds + 60) * 1000,
      maxBuffer: 1 << 20,
    },
  );
  const { samples } = JSON.parse(stdout.trim().split("\n").pop() ?? "{}") as {
    samples: FloodSample[];
  };
  if (!samples || samples.length < 2) throw new Error(`flood: ${samples?.length ?? 0} samples`);
  return summarizeFlood(samples, seconds);
}

export { FLOOD_SCENARIO };
export const FLOOD_NOTE =
  "flood: the TS plugin's source (version 2, 100 B rows) as fast as a consumer drains it, in a process that is only a host; RSS sampled each second, from the end of the first tenth";

/** The table rows of a flood run: start, end, max (MB) and slope (MB/min) of the host's RSS. */
export function floodRows(f: Flood, seconds: number): Row[] {
  const scenario = FLOOD_SCENARIO(seconds);
  const rate = `${Math.round(f.rowsPerSec / 1000)}k rows/s`;
  return [
    { ...summarize.plain(scenario, "ts v2, start", "MB", [f.startMB]), note: FLOOD_NOTE },
    summarize.plain(scenario, "ts v2, end", "MB", [f.endMB]),
    summarize.plain(scenario, "ts v2, max", "MB", [f.maxMB]),
    {
      ...summarize.plain(scenario, "ts v2, slope", "MB/min", [f.slopeMBPerMin]),
      note: `flood slope: least squares over the samples; the run took ${rate}${
        f.heapSlopeMBPerMin === undefined
          ? ""
          : `, V8 heap after GC ${f.heapSlopeMBPerMin.toFixed(2)} MB/min`
      }${
        f.pluginStartMB === undefined
          ? ""
          : `, plugin RSS ${f.pluginStartMB.toFixed(1)} -> ${(f.pluginEndMB ?? 0).toFixed(1)} MB`
      }`,
    },
  ];
}
