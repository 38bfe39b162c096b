// Runs one planned case: a fresh plugin process under a fresh host session,
// the steps in order (the first failing step ends the case), then teardown:
// SIGTERM, grace, SIGKILL, every host socket closed, and any socket file the
// plugin left under this case's unique rule id removed, so the suite never
// leaves anything behind.

import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { chooseVersion, DEFAULT_SOCKET_DIR, readVersionOffer } from "@portable-plugins/protocol";
import type { LaunchCommand } from "../driver/plugin-process.js";
import { Session } from "../driver/session.js";
import type { Timeouts } from "../driver/timeouts.js";
import { Transcript, type TranscriptEntry } from "../driver/transcript.js";
import { ConformanceError } from "../errors.js";
import { findKnownFailure, type KnownFailure } from "../scenario/known-failures.js";
import { type Profile, type Step, stepName } from "../scenario/types.js";
import type { Subject } from "../subject/types.js";
import { makeTempDir, removeTempDir } from "../temp-dirs.js";
import type { StepContext } from "./context.js";
import type { Finding } from "./findings.js";
import type { PlannedCase } from "./plan.js";
import { type CaseResult, type Status, verdictOf } from "./result.js";
import { runStep } from "./steps.js";

export interface CaseRunOptions {
  readonly subject: Subject;
  readonly launch: LaunchCommand;
  readonly profile: Profile | undefined;
  readonly timeouts: Timeouts;
  readonly knownFailures: readonly KnownFailure[];
  /** The protocol versions the plugin declares (profile or --versions, §10.6). */
  readonly declaredVersions: readonly number[];
  /** The seed of generated inputs and the runs per property case (checkTypes). */
  readonly seed: number;
  readonly runs?: number | undefined;
}

/** The case's own argument in place of the run's (the last element), and the offer in it. */
function launchOf(planned: PlannedCase, launch: LaunchCommand): LaunchCommand {
  const argument = planned.scenario.argument;
  if (argument === undefined) return launch;
  return { ...launch, args: [...launch.args.slice(0, -1), argument] };
}

function offerIn(argument: string | undefined): readonly number[] | undefined {
  if (argument === undefined) return undefined;
  try {
    return readVersionOffer(JSON.parse(argument));
  } catch {
    return undefined;
  }
}

let sequence = 0;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A rule id no other run on this machine uses: `conf<pid>x<n>`. */
function nextRule(): string {
  sequence += 1;
  return `conf${process.pid}x${sequence}`;
}

interface Attempt {
  readonly status: Exclude<Status, "skip">;
  readonly reasons: string[];
  readonly transcript: readonly TranscriptEntry[];
  readonly output: readonly string[];
}

async function attempt(
  planned: PlannedCase,
  steps: readonly Step[],
  opts: CaseRunOptions,
): Promise<Attempt> {
  const rule = nextRule();
  const dir = await makeTempDir(`${rule}-`);
  const transcript = new Transcript();
  const launch = launchOf(planned, opts.launch);
  const choice = chooseVersion(offerIn(launch.args.at(-1)), opts.declaredVersions);
  const session = new Session({
    plugin: opts.subject.name,
    launch,
    ruleId: rule,
    timeouts: opts.timeouts,
    transcript,
  });
  const ctx: StepContext = {
    session,
    subject: opts.subject,
    profile: opts.profile,
    kind: planned.kind,
    symbol: planned.symbol,
    rule,
    tmpdir: dir,
    next: undefined,
    expectedVersion: choice.ok ? choice.version : undefined,
    caseId: planned.id,
    seed: opts.seed,
    runs: opts.runs,
  };
  const findings: Finding[] = [];
  let harness: string | undefined;
  try {
    await session.open();
    // No common version: the plugin must refuse to start; the steps check how (§10.3).
    const missing = choice.ok ? await session.awaitHandshake() : undefined;
    if (missing) {
      findings.push({ status: "fail", reason: `no handshake: ${missing} (§3.3, §4.2.1)` });
    } else {
      for (const [i, step] of steps.entries()) {
        const next = steps[i + 1];
        ctx.next = next ? stepName(next) : undefined;
        const f = await runStep(step, ctx);
        if (f.status !== "pass") {
          findings.push({ ...f, reason: `step ${i + 1} (${stepName(step)}): ${f.reason}` });
        }
        if (f.status === "fail") break;
      }
    }
  } catch (err) {
    harness = ConformanceError.is(err)
      ? `${err.message} (${err.code})`
      : `harness bug: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  } finally {
    const ended = session.process && !session.process.running ? session.process : undefined;
    await session.teardown().catch(() => undefined);
    // A plugin that died: name the panic or exception it printed (its stderr drained first).
    if (ended) await Promise.race([ended.drained, sleep(1000)]);
    // The last such line: a Go panic is followed by its stack, a Python traceback ends with it.
    const crash = session.crashes.at(-1);
    const failed = findings.findIndex((f) => f.status === "fail");
    const code = ended?.exitStatus?.code;
    if (code !== undefined && code !== null && code !== 0 && crash !== undefined && failed >= 0) {
      const f = findings[failed]!;
      findings[failed] = { ...f, reason: `${f.reason}; the plugin crashed: ${crash}` };
    }
    const names = await readdir(DEFAULT_SOCKET_DIR).catch(() => [] as string[]);
    for (const n of names.filter((x) => x.startsWith(`${rule}_`))) {
      await rm(join(DEFAULT_SOCKET_DIR, n), { force: true }).catch(() => undefined);
    }
    await removeTempDir(dir);
  }
  const fails = findings.filter((f) => f.status === "fail").map((f) => f.reason ?? "");
  const warns = findings.filter((f) => f.status === "warn").map((f) => f.reason ?? "");
  const status = harness ? "error" : fails.length ? "fail" : warns.length ? "warn" : "pass";
  return {
    status,
    reasons: harness ? [harness, ...fails, ...warns] : [...fails, ...warns],
    transcript: transcript.entries,
    output: [...session.output],
  };
}

export async function runCase(planned: PlannedCase, opts: CaseRunOptions): Promise<CaseResult> {
  const c = planned.scenario;
  const base = {
    id: planned.id,
    caseName: c.name,
    feature: planned.feature,
    ...(planned.kind ? { kind: planned.kind } : {}),
    ...(planned.symbol ? { symbol: planned.symbol } : {}),
    spec: c.spec,
    description: c.description,
    plugin: opts.subject.label,
    version: planned.version,
  };
  const known =
    findKnownFailure(opts.knownFailures, planned.id, c.name) ??
    findKnownFailure(opts.knownFailures, planned.baseId, c.name);
  const started = Date.now();
  const finish = (a: Omit<Attempt, "status"> & { status: Status }): CaseResult => ({
    ...base,
    status: a.status,
    verdict: verdictOf(a.status, known),
    reasons: a.reasons,
    ...(known ? { knownFailure: known } : {}),
    transcript: a.transcript,
    output: a.output,
    durationMs: Date.now() - started,
  });
  if (planned.skip)
    return finish({ status: "skip", reasons: [planned.skip], transcript: [], output: [] });
  if (planned.error)
    return finish({ status: "error", reasons: [planned.error], transcript: [], output: [] });
  const main = await attempt(planned, c.steps, opts);
  if (main.status !== "fail" || !c.orElse) return finish(main);
  const alt = await attempt(planned, c.orElse.steps, opts);
  if (alt.status === "pass" || alt.status === "warn") {
    return finish({
      ...main,
      status: "warn",
      reasons: [`${c.orElse.warn} [${main.reasons.join("; ")}]`],
    });
  }
  return finish(main);
}
