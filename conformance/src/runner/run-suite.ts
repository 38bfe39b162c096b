// Runs the suite over one or more subjects, one after another: the
// reference SDKs fix their socket paths by plugin and function name, so two
// subjects (two "mirror"s, two "echo" functions) must never run at once.

import { connect } from "node:net";
import { controlChannelUrl, ipcPath } from "@portable-plugins/protocol";
import { DEFAULT_TIMEOUTS, type Timeouts } from "../driver/timeouts.js";
import { ConformanceError } from "../errors.js";
import { type KnownFailure, loadKnownFailures } from "../scenario/known-failures.js";
import { loadFeatures, loadProfile } from "../scenario/load.js";
import type { Feature, Profile } from "../scenario/types.js";
import { describeHolders } from "../socket-holder.js";
import { type Interpreters, launchCommand, offerUpTo } from "../subject/launch.js";
import { loadSubject } from "../subject/load.js";
import type { Subject } from "../subject/types.js";
import { detectVersions, type SubjectVersions } from "./detect-versions.js";
import { type Filters, planCases } from "./plan.js";
import { type CaseResult, failsRun } from "./result.js";
import { runCase } from "./run-case.js";

export interface SuiteOptions extends Filters {
  /** Zips, plugin folders, manifests or executables. */
  readonly subjects: readonly string[];
  readonly profile?: string | undefined;
  readonly knownFailures?: string | undefined;
  /** Known failures per subject (its label as given in `subjects`), instead of `knownFailures`. */
  readonly knownFailuresFor?: Readonly<Record<string, string>>;
  readonly interpreters?: Partial<Interpreters>;
  readonly timeouts?: Partial<Timeouts>;
  /** Folder of scenario files (default: the ones shipped with the package). */
  readonly scenarioDir?: string | undefined;
  /** Called as each case ends (progress). */
  readonly onCase?: (result: CaseResult) => void;
  /**
   * The protocol versions the subjects declare (§10.6), instead of the
   * profile's `protocolVersions`. The cases run once per version. When
   * nothing declares them, the suite learns them from the plugin's handshake
   * to an offer of every version it implements (detect-versions.ts).
   */
  readonly protocolVersions?: readonly number[] | undefined;
  /** Declared versions per subject (its label as given in `subjects`), instead of `protocolVersions`. */
  readonly protocolVersionsFor?: Readonly<Record<string, readonly number[]>>;
  /** Called before a subject's cases run, with the versions they run for. */
  readonly onSubject?: (label: string, planned: number, versions: SubjectVersions) => void;
  /**
   * The seed of the inputs property cases generate (checkTypes, §6.4.1);
   * default {@link DEFAULT_SEED}, so two runs send the same inputs. Each case
   * mixes it with its id: `--seed S --only <id>` re-runs one case exactly.
   */
  readonly seed?: number | undefined;
  /** Generated inputs per property case (default: 50 per function, 20 per sink). */
  readonly runs?: number | undefined;
}

/** The seed of generated inputs when none is given. */
export const DEFAULT_SEED = 14;

export interface PluginReport {
  readonly label: string;
  readonly name?: string;
  /** The versions the cases ran for, and whether they were declared or detected (§10.6). */
  readonly versions?: SubjectVersions;
  readonly results: readonly CaseResult[];
  /** A harness error that prevented the whole subject from running. */
  readonly error?: string;
}

export interface SuiteReport {
  readonly plugins: readonly PluginReport[];
  /** The seed property cases generated their inputs from (re-run with it); none for a host probe run. */
  readonly seed?: number;
  /** True when no case failed, passed unexpectedly, or hit a harness error. */
  readonly ok: boolean;
  /** True when a harness error occurred (exit status 2). */
  readonly harnessErrors: boolean;
}

/** Refuses to run when another process (a host) owns the plugin's control channel. */
export async function assertControlFree(subject: Subject): Promise<void> {
  const path = ipcPath(controlChannelUrl(subject.name));
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
  if (live) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_IN_USE",
      `${path} is live: another host is running a plugin named "${subject.name}", ${await describeHolders(path)}. The reference SDKs derive the control channel from the name compiled into the plugin, so the suite cannot rename it.`,
      { path },
    );
  }
}

export async function runSuite(opts: SuiteOptions): Promise<SuiteReport> {
  const features: Feature[] = await loadFeatures(opts.scenarioDir);
  const profile: Profile | undefined = opts.profile ? await loadProfile(opts.profile) : undefined;
  const knownFailures: KnownFailure[] = opts.knownFailures
    ? await loadKnownFailures(opts.knownFailures)
    : [];
  const interpreters: Interpreters = {
    python: opts.interpreters?.python ?? "python3",
    node: opts.interpreters?.node ?? process.execPath,
  };
  const timeouts: Timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  const seed = opts.seed ?? DEFAULT_SEED;
  const plugins: PluginReport[] = [];
  for (const label of opts.subjects) {
    let subject: Subject | undefined;
    try {
      subject = await loadSubject(label);
      await assertControlFree(subject);
      const own = opts.knownFailuresFor?.[label];
      const subjectKnown = own ? await loadKnownFailures(own) : knownFailures;
      const given =
        opts.protocolVersionsFor?.[label] ?? opts.protocolVersions ?? profile?.protocolVersions;
      const versions: SubjectVersions = given
        ? { versions: [...given].sort((a, b) => a - b), source: "declared" }
        : await detectVersions(subject, interpreters, timeouts);
      const declared = [...versions.versions];
      const runs = declared.map((version) => ({
        launch: launchCommand(subject as Subject, interpreters, offerUpTo(version)),
        planned: planCases(subject as Subject, features, profile, opts, { version, declared }),
      }));
      opts.onSubject?.(
        label,
        runs.reduce((n, r) => n + r.planned.length, 0),
        versions,
      );
      const results: CaseResult[] = [];
      for (const run of runs) {
        for (const p of run.planned) {
          const result = await runCase(p, {
            subject,
            launch: run.launch,
            profile,
            timeouts,
            knownFailures: subjectKnown,
            declaredVersions: declared,
            seed,
            runs: opts.runs,
          });
          results.push(result);
          opts.onCase?.(result);
        }
      }
      plugins.push({ label, name: subject.name, versions, results });
    } catch (err) {
      const message = ConformanceError.is(err)
        ? `${err.message} (${err.code})`
        : err instanceof Error
          ? err.message
          : String(err);
      plugins.push({
        label,
        ...(subject ? { name: subject.name } : {}),
        results: [],
        error: message,
      });
    } finally {
      await subject?.dispose();
    }
  }
  const harnessErrors = plugins.some(
    (p) => p.error !== undefined || p.results.some((r) => r.verdict === "error"),
  );
  const ok = !harnessErrors && plugins.every((p) => p.results.every((r) => !failsRun(r.verdict)));
  return { plugins, ok, harnessErrors, seed };
}
