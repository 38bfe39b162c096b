// Runs the host probe under OUR host (@portable-plugins/host, embedded; an
// optional peer dependency loaded only here): for each offer the host is set
// to ([1,2] and [1] by default) and each mode of the probe (a v1 and a v2
// plugin), a fresh data folder with the probe installed, then what a rule
// engine does — Exec, an Exec batch, an Exec that fails, a source read to its
// end — and the probe's events judged with what the host returned: results
// decoded right, the typed error (v2: code and class), rows 1..N in order
// with their meta.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { JsonValue } from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import type { Finding } from "../runner/findings.js";
import { fail, PASS } from "../runner/findings.js";
import type { SuiteReport } from "../runner/run-suite.js";
import { PROBE_FAIL_ARG, PROBE_FUNCTION, PROBE_SOURCE, readEvents } from "./events.js";
import { agreedVersion, type HostCheck, type HostExpectation, judgeProbeEvents } from "./judge.js";
import { writeProbeFolder } from "./package.js";
import { hostPluginReport, hostSuiteReport, runLabel } from "./report.js";

export interface OurHostOptions {
  /** The offers to set the host to, each a run (default [[1,2],[1]]). */
  readonly offers?: readonly (readonly number[])[];
  /** The probe's modes (default [[1],[1,2]]). */
  readonly modes?: readonly (readonly number[])[];
  /** Also run a rogue probe announcing v=2 under each offer without 2 (default true). */
  readonly rogue?: boolean;
  /** Rows the probe's source sends per run (default 200). */
  readonly rows?: number;
}

const CTX = { ruleId: "probe_rule", opId: "op1" };
const ARGS: JsonValue[][] = [
  ["a"],
  [{ n: 1, s: "x" }],
  [[1, 2, 3]],
  [true],
  [null],
  ["z".repeat(100)],
];

async function functionChecks(
  host: import("@portable-plugins/host").PortableHost,
  e: HostExpectation,
): Promise<HostCheck[]> {
  const fn = await host.function(PROBE_FUNCTION);
  try {
    const one = await fn.exec(["hello"], CTX).then(
      (v): Finding =>
        v === "hello" ? PASS : fail(`exec(["hello"]) returned ${JSON.stringify(v)}`),
      (err: unknown): Finding => fail(`exec(["hello"]) failed: ${String(err)}`),
    );
    const outcomes = await fn.execBatch(ARGS, CTX);
    const wrong = outcomes.findIndex(
      (o, i) => !o.ok || JSON.stringify(o.value) !== JSON.stringify(ARGS[i]?.[0] ?? null),
    );
    const batch =
      wrong === -1 && outcomes.length === ARGS.length
        ? PASS
        : fail(
            `execBatch: call ${wrong + 1} gave ${JSON.stringify(outcomes[wrong])}, expected ${JSON.stringify(ARGS[wrong]?.[0])}`,
          );
    const typed = await fn.exec([PROBE_FAIL_ARG], CTX).then(
      (v): Finding => fail(`exec of a failing call returned ${JSON.stringify(v)}`),
      (err: unknown): Finding => {
        if (agreedVersion(e) < 2) return PASS;
        const f = err as { remoteCode?: string; errorClass?: string };
        return f.remoteCode === "PORTABLE_E_FUNCTION" && f.errorClass === "BACKOFF"
          ? PASS
          : fail(
              `the typed error came back as ${f.remoteCode} ${f.errorClass}: ${String(err)}, expected PORTABLE_E_FUNCTION BACKOFF (§12.6)`,
            );
      },
    );
    return [
      {
        name: "host/function-exec",
        spec: "§4.6, §12.3",
        description: "An Exec's result comes back decoded.",
        finding: one,
      },
      {
        name: "host/function-batch",
        spec: "§12.3",
        description: "An Exec batch's results come back per call, in the caller's order.",
        finding: batch,
      },
      {
        name: "host/function-error",
        spec: "§4.6.3, §12.6",
        description: "A failed call is an error; in version 2 with the plugin's code and class.",
        finding: typed,
      },
    ];
  } finally {
    await fn.close();
  }
}

async function sourceCheck(
  host: import("@portable-plugins/host").PortableHost,
  e: HostExpectation,
  rows: number,
): Promise<HostCheck> {
  const source = await host.source(
    PROBE_SOURCE,
    { ruleId: "probe_rule", opId: "op2" },
    { config: { count: rows, batch: 25 } },
  );
  const seen: number[] = [];
  let finding: Finding = PASS;
  const meta = { probe: `v${agreedVersion(e)}` };
  const timer = setTimeout(() => void source.close(), 10_000);
  try {
    for await (const row of source) {
      seen.push(Number(row.message["n"]));
      if (JSON.stringify(row.meta) !== JSON.stringify(meta) && finding === PASS)
        finding = fail(
          `row ${seen.length} has meta ${JSON.stringify(row.meta)}, expected ${JSON.stringify(meta)}`,
        );
      if (seen.length === rows) break;
    }
  } finally {
    clearTimeout(timer);
    await source.close();
  }
  const out = seen.findIndex((n, i) => n !== i + 1);
  if (out !== -1)
    finding = fail(
      `row ${out + 1} is n=${seen[out]}, expected ${out + 1}: rows lost or out of order (§12.4)`,
    );
  else if (seen.length < rows)
    finding = fail(`${seen.length} of ${rows} rows within 10 s (§4.4, §12.4)`);
  return {
    name: "host/source-rows",
    spec: "§4.4, §12.4",
    description: `The source's ${rows} rows reach the reader decoded, in order, with their meta.`,
    finding,
  };
}

/** A rogue probe announces a version the host did not offer: no function, status error (§10.4). */
async function refusalCheck(
  host: import("@portable-plugins/host").PortableHost,
  e: HostExpectation,
): Promise<HostCheck> {
  const want = `protocol version ${e.mode.announce} not offered`;
  let timer: NodeJS.Timeout | undefined;
  const opened = await Promise.race([
    host.function(PROBE_FUNCTION).then(
      async (fn) => {
        await fn.close();
        return "opened";
      },
      (err: unknown) => `refused: ${String(err)}`,
    ),
    new Promise<string>((r) => {
      timer = setTimeout(() => r("no answer within 30 s"), 30_000);
    }),
  ]);
  clearTimeout(timer);
  const status = host.status("probe");
  const finding =
    opened.startsWith("refused") && status?.errMsg.includes(want)
      ? PASS
      : fail(
          `after "handshake v=${e.mode.announce}" the function start was ${opened}; status ${JSON.stringify(status)}, expected status error "${want}" (§10.4)`,
        );
  return {
    name: "host/refuses-unoffered-version",
    spec: "§10.4",
    description:
      "A plugin announcing a version the host did not offer is a protocol error: killed, status error.",
    finding,
  };
}

/** The host package, an optional peer dependency: a usage error that says so when it is missing. */
async function loadHost(): Promise<typeof import("@portable-plugins/host")> {
  try {
    return await import("@portable-plugins/host");
  } catch (cause) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_USAGE",
      `host ours embeds @portable-plugins/host: install it beside the suite (npm i @portable-plugins/host): ${String(cause)}`,
      { cause },
    );
  }
}

async function runOne(
  e: HostExpectation,
  rows: number,
): Promise<ReturnType<typeof hostPluginReport>> {
  const { PortableHost, silentLogger } = await loadHost();
  const dataDir = await mkdtemp(join(tmpdir(), "probe-host-"));
  const pluginDir = join(dataDir, "plugins", "portable", "probe");
  writeProbeFolder(pluginDir, e.mode);
  const label = runLabel("ours", e);
  const host = new PortableHost({
    dataDir,
    protocolVersions: e.offers,
    logger: silentLogger,
    // A rogue probe is refused at every start: give up after one quick retry.
    ...(e.mode.announce !== undefined ? { restart: { maxRestarts: 1, firstDelayMs: 50 } } : {}),
  });
  try {
    await host.load();
    const hostSide =
      e.mode.announce !== undefined
        ? [await refusalCheck(host, e)]
        : [...(await functionChecks(host, e)), await sourceCheck(host, e, rows)];
    await host.close();
    const checks = [...judgeProbeEvents(readEvents(pluginDir), e), ...hostSide];
    return hostPluginReport(label, e, checks);
  } catch (err) {
    await host.close().catch(() => undefined);
    return {
      label,
      name: "probe",
      results: [],
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** The probe's runs under our host; the report reads like a plugin run's. */
export async function runOurHost(opts: OurHostOptions = {}): Promise<SuiteReport> {
  const plugins = [];
  for (const offers of opts.offers ?? [[1, 2], [1]]) {
    for (const versions of opts.modes ?? [[1], [1, 2]]) {
      plugins.push(await runOne({ offers, mode: { versions } }, opts.rows ?? 200));
    }
    if ((opts.rogue ?? true) && !offers.includes(2))
      plugins.push(await runOne({ offers, mode: { versions: [1, 2], announce: 2 } }, 0));
  }
  return hostSuiteReport(plugins);
}
