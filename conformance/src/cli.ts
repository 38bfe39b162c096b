#!/usr/bin/env node
// portable-conformance <plugin...> [options]: runs the conformance suite as
// the host of each plugin, one after another, and prints the report.
// Exit status: 0 all conform (warnings allowed), 1 failures or unexpected
// passes, 2 harness errors (the suite could not run everything). On Linux it
// first re-executes itself in a private /tmp (private-tmp.ts) unless told
// --shared-tmp or the OS does not allow it.

import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { unlinkHostFilesSync } from "./driver/open-sessions.js";
import { killAllPlugins } from "./driver/plugin-process.js";
import { ConformanceError } from "./errors.js";
import { OUTER_TMP, PRIVATE_TMP_ENV, probePrivateTmp, runInPrivateTmp } from "./private-tmp.js";
import { hostMain } from "./probe/cli-host.js";
import { toJunit } from "./report/junit.js";
import { formatReport, progressLine } from "./report/terminal.js";
import { describeVersions } from "./runner/detect-versions.js";
import { runSuite } from "./runner/run-suite.js";
import { removeAllTempDirsSync } from "./temp-dirs.js";

const USAGE = `usage: portable-conformance <plugin...> [options]
       portable-conformance host <ours|package|check> ...   (tests a host: --help there)

  <plugin>               a zip, a plugin folder (with one <name>.json), a manifest
                         <name>.json, or an executable next to its manifest
  --profile <file>       behaviour profile (configs, arguments, behaviour cases)
  --only <glob>          run only matching cases (repeatable), e.g. 'sink/**'
  --skip <glob>          skip matching cases (repeatable)
  --known-failures <f>   expected failures: glob lines, each after a '# reason' line;
                         <plugin>=<f> applies a file to one plugin (repeatable)
  --versions <list>      protocol versions the plugin speaks, e.g. 1,2 (default: the
                         profile's protocolVersions, else detected: the plugin is
                         started once offering every version the suite implements,
                         and its handshake v=N means 1..N, a plain handshake 1);
                         <plugin>=<list> for one plugin (repeatable). Cases run once
                         per version N, offering [1..N]; the ids of runs for N >= 2
                         start with v<N>/ (§10.6)
  --junit <file>         write JUnit XML
  --json <file>          write the full report as JSON (with transcripts)
  --python <bin>         Python for language "python" (default python3)
  --node <bin>           Node.js for language "nodejs" (default: this node)
  --init-timeout <ms>    wait for the handshake (default 10000)
  --scenarios <dir>      scenario folder (default: the shipped scenarios)
  --seed <n>             seed of the inputs property cases generate from declared
                         types (default 14: every run sends the same inputs)
  --runs <n>             generated inputs per property case (default 50 per
                         function, 20 per sink)
  --shared-tmp           run in the machine's /tmp instead of a private one
                         (default: a private /tmp in a mount namespace, where allowed)
  -q, --quiet            no progress lines
  -h, --help`;

async function main(): Promise<number> {
  if (process.argv[2] === "host") {
    // Testing a host: it starts the probe, so the private /tmp is as useful (§2.7).
    if (process.env[PRIVATE_TMP_ENV] !== "1" && !process.argv.includes("--shared-tmp")) {
      const probe = probePrivateTmp();
      if (probe.ok) return runInPrivateTmp(process.argv[1] ?? "", process.argv.slice(2));
    }
    return hostMain(process.argv.slice(3).filter((a) => a !== "--shared-tmp"));
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (positionals.length === 0) {
    process.stderr.write(`no plugin given\n\n${USAGE}\n`);
    return 2;
  }
  const quiet = values.quiet === true;
  if (!values["shared-tmp"] && process.env[PRIVATE_TMP_ENV] !== "1") {
    const probe = probePrivateTmp();
    if (probe.ok) return runInPrivateTmp(process.argv[1] ?? "", process.argv.slice(2));
    process.stderr.write(
      `portable-conformance: no private /tmp here (${probe.why}); running in the machine's /tmp, where reference SDK socket names (/tmp/plugin_<name>.ipc) can collide with other users' plugins\n`,
    );
  }
  installCleanup();
  if (!quiet) {
    process.stdout.write(
      process.env[PRIVATE_TMP_ENV] === "1"
        ? "running in a private /tmp (mount namespace)\n"
        : "running in the machine's /tmp\n",
    );
  }
  let knownFailures: string | undefined;
  const knownFailuresFor: Record<string, string> = {};
  for (const kf of values["known-failures"] ?? []) {
    const eq = kf.indexOf("=");
    if (eq > 0 && positionals.includes(kf.slice(0, eq)))
      knownFailuresFor[kf.slice(0, eq)] = kf.slice(eq + 1);
    else knownFailures = kf;
  }
  let protocolVersions: number[] | undefined;
  const protocolVersionsFor: Record<string, number[]> = {};
  for (const v of values.versions ?? []) {
    const eq = v.lastIndexOf("=");
    const list = versionList(eq > 0 ? v.slice(eq + 1) : v);
    if (eq > 0 && positionals.includes(v.slice(0, eq))) protocolVersionsFor[v.slice(0, eq)] = list;
    else protocolVersions = list;
  }
  const report = await runSuite({
    subjects: positionals,
    ...(protocolVersions ? { protocolVersions } : {}),
    protocolVersionsFor,
    profile: values.profile,
    knownFailures,
    knownFailuresFor,
    only: values.only ?? [],
    skip: values.skip ?? [],
    scenarioDir: values.scenarios,
    ...(values.seed !== undefined ? { seed: integerOption("--seed", values.seed, false) } : {}),
    ...(values.runs !== undefined ? { runs: integerOption("--runs", values.runs, true) } : {}),
    interpreters: {
      // A path (not a bare command name) is taken from here, not from the plugin's folder.
      ...(values.python ? { python: asCommand(values.python) } : {}),
      ...(values.node ? { node: asCommand(values.node) } : {}),
    },
    ...(values["init-timeout"] ? { timeouts: { initMs: Number(values["init-timeout"]) } } : {}),
    onSubject: (label, n, versions) => {
      if (!quiet)
        process.stdout.write(`${outer(label)}: ${describeVersions(versions)}, ${n} case(s)\n`);
    },
    onCase: (r) => {
      if (!quiet) process.stdout.write(`${outer(progressLine(r))}\n`);
    },
  });
  process.stdout.write(`\n${outer(formatReport(report))}\n`);
  if (values.junit) await writeFile(values.junit, outer(toJunit(report)));
  if (values.json) await writeFile(values.json, outer(`${JSON.stringify(report, null, 2)}\n`));
  return report.harnessErrors ? 2 : report.ok ? 0 : 1;
}

/** In a private /tmp: report the machine's paths as the user gave them (/tmp/…, not OUTER_TMP/…). */
function outer(text: string): string {
  return process.env[PRIVATE_TMP_ENV] === "1" ? text.replaceAll(`${OUTER_TMP}/`, "/tmp/") : text;
}

function asCommand(bin: string): string {
  return bin.includes("/") ? resolve(bin) : bin;
}

function parse() {
  return parseArgs({
    allowPositionals: true,
    options: {
      profile: { type: "string" },
      only: { type: "string", multiple: true },
      skip: { type: "string", multiple: true },
      "known-failures": { type: "string", multiple: true },
      junit: { type: "string" },
      json: { type: "string" },
      python: { type: "string" },
      node: { type: "string" },
      "init-timeout": { type: "string" },
      versions: { type: "string", multiple: true },
      scenarios: { type: "string" },
      seed: { type: "string" },
      runs: { type: "string" },
      "shared-tmp": { type: "boolean" },
      quiet: { type: "boolean", short: "q" },
      help: { type: "boolean", short: "h" },
    },
  });
}

// Interrupted: take the plugins down with us (they run in their own process
// groups). Only where the suite runs, not in a parent waiting for its re-execution.
function installCleanup(): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      killAllPlugins();
      unlinkHostFilesSync();
      removeAllTempDirsSync();
      process.exit(130);
    });
  }
  process.once("exit", killAllPlugins);
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = ConformanceError.is(err) ? `${err.message} (${err.code})` : String(err);
    process.stderr.write(`portable-conformance: ${message}\n`);
    process.exitCode = 2;
  },
);

/** `1,2` as [1, 2]; anything else is a usage error. */
function versionList(text: string): number[] {
  const list = text.split(",").map((t) => Number(t.trim()));
  if (list.length === 0 || list.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_USAGE",
      `--versions ${text}: expected positive integers separated by commas, e.g. 1,2`,
    );
  }
  return list;
}

/** An integer option (`--seed` may be any 32-bit integer, `--runs` positive). */
function integerOption(flag: string, text: string, positive: boolean): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || (positive ? n < 1 : Math.abs(n) > 2 ** 31)) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_USAGE",
      `${flag} ${text}: expected ${positive ? "a positive integer" : "an integer"}`,
    );
  }
  return n;
}
