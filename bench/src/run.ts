// `npm run bench` at the root (or here); `--quick` / BENCH_QUICK=1 for a smoke
// run of a few hundred iterations. One run measures everything on this
// machine: function Exec, source ingest, sink delivery, cold start and host
// memory, for plugins on our TypeScript SDK and on eKuiper's Python and Go
// SDKs under our PortableHost, each next to a raw Unix-socket floor measured
// in the same run; Exec also for the Go plugin under a minimal Go host
// (peers/go-host), the reference our host is measured against. Prints one
// table, writes results.json (out/results.quick.json for a quick run,
// out/results.partial.json for --only; out/ is git-ignored). Never
// fails on a figure, only on a crash; with CI=true also on any ERROR row (a
// peer that did not build or run, such as the Go plugin without `go`).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { FloorPeer } from "./floor/peer.js";
import { interleaved, type Outcome, type Runner } from "./interleave.js";
import { machine } from "./machine.js";
import { buildGo, PluginFolders } from "./plugins.js";
import { FLOOR, printTable, type Row, summarize } from "./report.js";
import { type ColdStart, coldStart, floorLabel, processFloor } from "./scenarios/cold-start.js";
import {
  CALLERS,
  EXEC_TS_TYPED,
  EXEC_TS_TYPED_NOTE,
  EXEC_TS_V1_NOTE,
  EXEC_TS_V2,
  EXEC_TS_V2_NOTE,
  execConcurrentRunner,
  execFloor,
  execRunner,
} from "./scenarios/exec.js";
import { execGoHost, GO_HOST } from "./scenarios/exec-gohost.js";
import { FLOOD_SCENARIO, floodRows, measureFlood } from "./scenarios/flood.js";
import { ingestFloor, ingestRunner, TS_V1, TS_V1_NOTE, TS_V2_NOTE } from "./scenarios/ingest.js";
import { measureMemory } from "./scenarios/memory.js";
import {
  SINK_TS_V1_NOTE,
  SINK_TS_V2,
  SINK_TS_V2_NOTE,
  SINK_WRITERS,
  sinkFloor,
  sinkRunner,
} from "./scenarios/sink.js";
import {
  BENCH_DIR,
  INGEST_SIZES,
  LANGS,
  type Lang,
  MEMORY_INSTANCES,
  QUICK,
  SETTINGS,
  sizeLabel,
} from "./settings.js";
import { closeSubject, newHost, openSubject, type Subject } from "./subject.js";

const S = SETTINGS;
/** `--only=exec,ingest` runs only the scenario groups named (exec, ingest, sink, cold, memory, flood). */
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",");
const want = (group: string) => !only || only.includes(group);
const rows: Row[] = [];
const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split("\n")[0]!;
const CI = process.env["CI"] === "true" || process.env["CI"] === "1";

/** Setups for the floor and each language that came up; languages that did not give error rows. */
function setups<T>(
  subjects: Subjects,
  floor: () => Promise<Runner<T>>,
  lang: (s: Subject) => Promise<Runner<T>> | Runner<T>,
) {
  const m = new Map<string, () => Promise<Runner<T>>>([[FLOOR, floor]]);
  for (const [l, s] of subjects) {
    m.set(l, async () => {
      if (s instanceof Error) throw s;
      return lang(s);
    });
  }
  return m;
}

function addRows<T>(
  scenario: string,
  unit: string,
  outcome: Outcome<T>,
  toRow: (impl: string, samples: T[], floor: string | undefined) => Row,
): void {
  for (const impl of [FLOOR, ...LANGS]) {
    const err = outcome.errors.get(impl);
    const samples = outcome.samples.get(impl);
    if (err) rows.push({ scenario, impl, unit, error: `ERROR: ${err}` });
    else if (samples) rows.push(toRow(impl, samples, impl === FLOOR ? undefined : FLOOR));
  }
}

async function main(work: string): Promise<void> {
  const folders = new PluginFolders(work);
  // Built first, so that a missing `go` is said once, at the top.
  await buildGo().catch((e: unknown) => console.error(`\n${firstLine(e)}\n`));
  const subjects: Subjects = new Map();
  for (const lang of LANGS) {
    subjects.set(
      lang,
      await openSubject(lang, work, folders).catch((e: unknown) =>
        e instanceof Error ? e : new Error(String(e)),
      ),
    );
  }
  const peer = new FloorPeer();
  try {
    if (want("exec")) await execScenario(subjects, peer, work, folders);
    if (want("ingest")) await ingestScenarios(subjects, peer, work, folders);
    if (want("sink")) await sinkScenarios(subjects, peer, work, folders);
    if (want("cold")) await coldStarts(work, folders);
    if (want("memory")) await memory(work, folders);
    if (want("flood")) await flood(work, folders);
  } finally {
    await peer.kill();
    for (const s of subjects.values()) if (!(s instanceof Error)) await closeSubject(s);
  }
}

type Subjects = Map<Lang, Subject | Error>;
const GO_RECEIPT =
  "go, requireAck: the Go SDK never acks; each write waits for the sink's per-row receipt on the notify socket instead";
const GO_HOST_NOTE =
  "the Go plugin of the go rows under bench/peers/go-host, a minimal Go host on mangos v3.4.2, instead of our host";
const count = (what: Record<string, number>, impl: string) =>
  what[impl === FLOOR ? "raw" : impl] ?? 0;

async function execScenario(
  subjects: Subjects,
  peer: FloorPeer,
  work: string,
  folders: PluginFolders,
): Promise<void> {
  const scenario = "function Exec (sequential)";
  const runners = setups(
    subjects,
    () => execFloor(peer, work, S.execCalls.raw),
    (s) => execRunner(s, count(S.execCalls, s.lang)),
  );
  // The `ts` row stays version 1, one call at a time: the TS plugin under a
  // host offering only [1] (the default host agrees on version 2 with it).
  let v1: Subject | undefined;
  runners.set("ts", async () => {
    v1 = await openSubject("ts", work, folders, true);
    return execRunner(v1, S.execCalls.ts, 1);
  });
  // The same, its function typed: what the host's argument check costs (§6.4.1).
  let typed: Subject | undefined;
  runners.set(EXEC_TS_TYPED, async () => {
    typed = await openSubject("ts", work, folders, true, true);
    return execRunner(typed, S.execCalls.ts, 1);
  });
  // The Go plugin under a minimal Go host too, interleaved with the rest.
  runners.set(GO_HOST, () => execGoHost(S.execCalls.goHost));
  // Version 2 (§12.3): the TS plugin under the default host, 16 callers at once.
  const v2 = subjects.get("ts");
  runners.set(EXEC_TS_V2, async () => {
    if (!v2 || v2 instanceof Error) throw v2 ?? new Error("no ts subject");
    return execConcurrentRunner(v2, S.execCalls.ts * CALLERS);
  });
  const exec = await interleaved(S.runs, runners).finally(async () => {
    if (v1) await closeSubject(v1);
    if (typed) await closeSubject(typed);
  });
  addRows(scenario, "calls/s", exec, (impl, xs, floor) => ({
    ...summarize.latency(scenario, impl, xs, floor),
    ...(impl === "ts" ? { note: EXEC_TS_V1_NOTE } : {}),
  }));
  const err = exec.errors.get(GO_HOST);
  const xs = exec.samples.get(GO_HOST);
  if (err) rows.push({ scenario, impl: GO_HOST, unit: "calls/s", error: `ERROR: ${err}` });
  else if (xs)
    rows.push({ ...summarize.latency(scenario, GO_HOST, xs, FLOOR), note: GO_HOST_NOTE });
  const typedErr = exec.errors.get(EXEC_TS_TYPED);
  const typedXs = exec.samples.get(EXEC_TS_TYPED);
  if (typedErr)
    rows.push({ scenario, impl: EXEC_TS_TYPED, unit: "calls/s", error: `ERROR: ${typedErr}` });
  else if (typedXs)
    rows.push({
      ...summarize.latency(scenario, EXEC_TS_TYPED, typedXs, FLOOR),
      note: EXEC_TS_TYPED_NOTE,
    });
  const v2err = exec.errors.get(EXEC_TS_V2);
  const v2xs = exec.samples.get(EXEC_TS_V2);
  if (v2err) rows.push({ scenario, impl: EXEC_TS_V2, unit: "calls/s", error: `ERROR: ${v2err}` });
  else if (v2xs)
    rows.push({ ...summarize.latency(scenario, EXEC_TS_V2, v2xs, FLOOR), note: EXEC_TS_V2_NOTE });
}

async function ingestScenarios(
  subjects: Subjects,
  peer: FloorPeer,
  work: string,
  folders: PluginFolders,
): Promise<void> {
  // The TS plugin agrees on version 2 under the default host; the same plugin
  // under a host offering only [1] gives the version-1 row of the same run.
  const v1 = await openSubject("ts", work, folders, true).catch((e: unknown) =>
    e instanceof Error ? e : new Error(String(e)),
  );
  try {
    for (const size of INGEST_SIZES) {
      const scenario = `source ingest ${sizeLabel(size)}`;
      const runners = setups(
        subjects,
        () => ingestFloor(peer, work, size, S.ingestRows.raw),
        (s) => ingestRunner(s, size, count(S.ingestRows, s.lang)),
      );
      runners.set(TS_V1, async () => {
        if (v1 instanceof Error) throw v1;
        return ingestRunner(v1, size, S.ingestRows.ts);
      });
      const out = await interleaved(S.runs, runners);
      // Timed from the first row to the last: count - 1 rows.
      addRows(scenario, "rows/s", out, (impl, xs, floor) => ({
        ...summarize.throughput(scenario, impl, count(S.ingestRows, impl) - 1, size, xs, floor),
        ...(impl === "ts" ? { note: TS_V2_NOTE } : {}),
      }));
      const err = out.errors.get(TS_V1);
      const xs = out.samples.get(TS_V1);
      if (err) rows.push({ scenario, impl: TS_V1, unit: "rows/s", error: `ERROR: ${err}` });
      else if (xs)
        rows.push({
          ...summarize.throughput(scenario, TS_V1, S.ingestRows.ts - 1, size, xs, FLOOR),
          note: TS_V1_NOTE,
        });
    }
  } finally {
    if (!(v1 instanceof Error)) await closeSubject(v1);
  }
}

async function sinkScenarios(
  subjects: Subjects,
  peer: FloorPeer,
  work: string,
  folders: PluginFolders,
): Promise<void> {
  for (const requireAck of [false, true]) {
    const scenario = `sink delivery 100 B, ${requireAck ? "requireAck" : "no acks"}`;
    const n = requireAck ? S.sinkAckedRows : S.sinkRows;
    const runners = setups(
      subjects,
      () => sinkFloor(peer, work, requireAck, n.raw),
      (s) => sinkRunner(s, requireAck, count(n, s.lang)),
    );
    // The `ts` row stays version 1, one write at a time: the TS plugin under a
    // host offering only [1]; version 2 (§12.5) is the row beside it.
    let v1: Subject | undefined;
    runners.set("ts", async () => {
      v1 = await openSubject("ts", work, folders, true);
      return sinkRunner(v1, requireAck, n.ts);
    });
    const v2 = subjects.get("ts");
    runners.set(SINK_TS_V2, async () => {
      if (!v2 || v2 instanceof Error) throw v2 ?? new Error("no ts subject");
      return sinkRunner(v2, requireAck, n.ts, SINK_WRITERS);
    });
    const out = await interleaved(S.runs, runners).finally(async () => {
      if (v1) await closeSubject(v1);
    });
    addRows(scenario, "rows/s", out, (impl, xs, floor) => ({
      ...summarize.throughput(scenario, impl, count(n, impl), 100, xs, floor),
      ...(requireAck && impl === "go" ? { note: GO_RECEIPT } : {}),
      ...(impl === "ts" ? { note: SINK_TS_V1_NOTE } : {}),
    }));
    const err = out.errors.get(SINK_TS_V2);
    const xs = out.samples.get(SINK_TS_V2);
    if (err) rows.push({ scenario, impl: SINK_TS_V2, unit: "rows/s", error: `ERROR: ${err}` });
    else if (xs)
      rows.push({
        ...summarize.throughput(scenario, SINK_TS_V2, n.ts, 100, xs, FLOOR),
        note: SINK_TS_V2_NOTE,
      });
  }
}

async function coldStarts(work: string, folders: PluginFolders): Promise<void> {
  const hs = "cold start: spawn to handshake";
  const share = "cold start: host share";
  const total = "cold start: total";
  const results: Row[][] = [[], [], []];
  for (const lang of LANGS) {
    const floorImpl = `floor: ${floorLabel(lang)}`;
    const floors: number[] = [];
    const runs: ColdStart[] = [];
    const host = await newHost(lang, join(work, `${lang}-cold`));
    try {
      await coldStart(lang, host, folders); // warm: the first spawn fills the page cache
      for (let r = 0; r < S.coldStarts; r++) {
        floors.push(await processFloor(lang));
        runs.push(await coldStart(lang, host, folders));
      }
    } catch (e) {
      results[0]!.push({ scenario: hs, impl: lang, unit: "ms", error: `ERROR: ${String(e)}` });
      continue;
    } finally {
      await host.close();
    }
    results[0]!.push(summarize.plain(hs, floorImpl, "ms", floors));
    results[0]!.push(
      summarize.plain(
        hs,
        lang,
        "ms",
        runs.map((x) => x.handshakeMs),
        floorImpl,
      ),
    );
    results[1]!.push(
      summarize.plain(
        share,
        lang,
        "ms",
        runs.map((x) => x.hostShareMs),
      ),
    );
    results[2]!.push(
      summarize.plain(
        total,
        lang,
        "ms",
        runs.map((x) => x.totalMs),
      ),
    );
  }
  rows.push(...results[0]!, ...results[1]!, ...results[2]!);
}

async function memory(work: string, folders: PluginFolders): Promise<void> {
  const byCount = new Map<number, Row[]>();
  for (const lang of LANGS) {
    const perRun = new Map<number, number[]>();
    try {
      for (let r = 0; r < S.memoryRuns; r++) {
        for (const step of await measureMemory(lang, work, folders, MEMORY_INSTANCES)) {
          perRun.set(step.instances, [...(perRun.get(step.instances) ?? []), step.hostRssMB]);
        }
      }
    } catch (e) {
      const scenario = `host RSS, ${MEMORY_INSTANCES.join("/")} instances`;
      rows.push({ scenario, impl: lang, unit: "MB", error: `ERROR: ${firstLine(e)}` });
      continue;
    }
    for (const [n, xs] of perRun) {
      const scenario = `host RSS, ${n} source instance${n === 1 ? "" : "s"}`;
      byCount.set(n, [...(byCount.get(n) ?? []), summarize.plain(scenario, lang, "MB", xs)]);
    }
  }
  for (const [, list] of [...byCount].sort((a, b) => a[0] - b[0])) {
    rows.push(...list);
  }
}

async function flood(work: string, folders: PluginFolders): Promise<void> {
  try {
    rows.push(...floodRows(await measureFlood(work, folders, S.floodSeconds), S.floodSeconds));
  } catch (e) {
    rows.push({
      scenario: FLOOD_SCENARIO(S.floodSeconds),
      impl: "ts",
      unit: "MB",
      error: `ERROR: ${firstLine(e)}`,
    });
  }
}

const work = await mkdtemp(join(tmpdir(), "pp-bench-"));
const started = Date.now();
try {
  await main(work);
} catch (e) {
  rows.push({ scenario: "(aborted)", impl: "-", unit: "", error: `ERROR: ${firstLine(e)}` });
  console.error(e);
  process.exitCode = 1;
} finally {
  await rm(work, { recursive: true, force: true });
}
const meta = {
  ...machine(),
  quick: QUICK,
  runs: S.runs,
  settings: S,
  seconds: (Date.now() - started) / 1000,
};
const targets = printTable(rows, meta);
// Smoke runs and partial runs must not overwrite the figures of the last full run.
const file = QUICK ? "results.quick.json" : only ? "results.partial.json" : "results.json";
const out = file === "results.json" ? join(BENCH_DIR, file) : join(BENCH_DIR, "out", file);
await mkdir(dirname(out), { recursive: true });
await writeFile(out, `${JSON.stringify({ ...meta, targets, rows }, null, 2)}\n`);
console.log(`\nwrote ${out} (${meta.seconds.toFixed(0)} s)`);
const failed = rows.filter((r) => r.error);
if (CI && failed.length) {
  console.error(
    `\nCI: ${failed.length} row(s) failed (${[...new Set(failed.map((r) => r.impl))].join(", ")}); ` +
      "in CI every peer must build and run (see the errors above)",
  );
  process.exitCode = 1;
}
