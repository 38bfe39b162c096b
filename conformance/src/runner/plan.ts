// Which cases run for a subject: every scenario case (forEach cases once per
// symbol of their kind, or one skip when the plugin has none), then the
// profile's behaviour cases; filtered by --only and --skip. Once per declared
// protocol version (§10.6): the run for version N >= 2 prefixes ids with
// `v<N>/` and leaves out the cases that bring their own argument (they run
// once, in the version-1 run); a case needing a version the plugin does not
// declare is a skip. Cases that exchange version-1 function messages
// (`call`, `expectReply`) are left out of a run for version >= 2 too: version
// 2 replaces those kinds by call and reply batches (§10.6, §12.1). A case with
// `fromVersion: N` speaks version N's messages: it runs only in the runs for
// versions >= N; a plugin declaring none of them gets it once, as a skip
// "does not apply" with the id `v<N>/…`.

import { SYMBOL_KINDS, symbolListOf } from "@portable-plugins/protocol";
import { matchesGlob } from "../scenario/glob.js";
import type { Feature, Kind, Profile, ScenarioCase } from "../scenario/types.js";
import type { Subject } from "../subject/types.js";
import { typesSkip } from "../typed/plan-types.js";

export interface PlannedCase {
  readonly id: string;
  readonly feature: string;
  readonly scenario: ScenarioCase;
  readonly kind?: Kind;
  readonly symbol?: string;
  /** Why it does not run (the plugin has no such symbol). */
  readonly skip?: string;
  /** A profile problem to report as a harness error instead of running. */
  readonly error?: string;
  /** The protocol version of the run (§10.6). */
  readonly version: number;
  /** The id without the `v<N>/` prefix of a later version's run (what known failures match too). */
  readonly baseId: string;
}

/** Which version's run this plan is for, and what the plugin declares. */
export interface VersionRun {
  readonly version: number;
  readonly declared: readonly number[];
}

export interface Filters {
  readonly only?: readonly string[];
  readonly skip?: readonly string[];
}

export function planCases(
  subject: Subject,
  features: readonly Feature[],
  profile: Profile | undefined,
  filters: Filters = {},
  run: VersionRun = { version: 1, declared: [1] },
): PlannedCase[] {
  const planned = planV1(subject, features, profile).flatMap((p): PlannedCase[] => {
    const c = p.scenario;
    const top = Math.max(...run.declared);
    const from = c.fromVersion;
    if (from !== undefined && run.version < from) {
      // A later version's case: in the version-1 run of a plugin that never gets there, one skip.
      if (run.version > 1 || top >= from) return [];
      const reason = `does not apply: the plugin declares protocol versions ${JSON.stringify(run.declared)}, the case speaks version ${from} (§10.6)`;
      const id = `v${from}/${p.id}`;
      return [{ ...p, id, baseId: p.id, version: run.version, skip: p.skip ?? reason }];
    }
    if (run.version > 1 && (c.argument !== undefined || usesV1FunctionMessages(c))) return [];
    const needs = c.requiresVersion;
    const skip =
      p.skip ??
      (needs !== undefined && top < needs
        ? `the plugin declares protocol versions ${JSON.stringify(run.declared)}, the case needs ${needs} (§10.6)`
        : undefined);
    const id = run.version > 1 ? `v${run.version}/${p.id}` : p.id;
    return [{ ...p, id, baseId: p.id, version: run.version, ...(skip ? { skip } : {}) }];
  });
  const only = filters.only ?? [];
  const skip = filters.skip ?? [];
  return planned.filter(
    (p) =>
      (only.length === 0 || only.some((g) => matchesGlob(g, p.id, p.scenario.name))) &&
      !skip.some((g) => matchesGlob(g, p.id, p.scenario.name)),
  );
}

/**
 * The case calls a function or checks a reply: version-1 kinds that version 2
 * replaces (§12.1); a function's checkTypes makes version-1 calls too.
 */
function usesV1FunctionMessages(c: ScenarioCase): boolean {
  const steps = [...c.steps, ...(c.orElse?.steps ?? [])];
  return steps.some(
    (step) =>
      "call" in step || "expectReply" in step || ("checkTypes" in step && c.forEach === "function"),
  );
}

/** A checkTypes case needs the symbol's declared types (§6.4.1): else why it is skipped. */
function typesNeeded(subject: Subject, c: ScenarioCase, kind: Kind, symbol: string) {
  if (!c.steps.some((step) => "checkTypes" in step)) return undefined;
  return typesSkip(subject.schemas, kind, symbol);
}

type V1Case = Omit<PlannedCase, "version" | "baseId">;

function planV1(
  subject: Subject,
  features: readonly Feature[],
  profile: Profile | undefined,
): V1Case[] {
  const planned: V1Case[] = [];
  for (const f of features) {
    for (const c of f.cases) {
      if (!c.forEach) {
        planned.push({ id: c.name, feature: f.feature, scenario: c });
        continue;
      }
      const symbols = subject.manifest[symbolListOf(c.forEach)];
      if (symbols.length === 0) {
        planned.push({
          id: c.name,
          feature: f.feature,
          scenario: c,
          kind: c.forEach,
          skip: `the plugin has no ${c.forEach}`,
        });
      }
      for (const symbol of symbols) {
        const skip = typesNeeded(subject, c, c.forEach, symbol);
        planned.push({
          id: `${c.name}/${symbol}`,
          feature: f.feature,
          scenario: c,
          kind: c.forEach,
          symbol,
          ...(skip ? { skip } : {}),
        });
      }
    }
  }
  for (const kind of SYMBOL_KINDS) {
    for (const [symbol, entry] of Object.entries(profile?.[symbolListOf(kind)] ?? {})) {
      const known = subject.manifest[symbolListOf(kind)].includes(symbol);
      for (const pc of entry.cases ?? []) {
        const name = `profile/${kind}/${symbol}/${pc.name}`;
        const scenario: ScenarioCase = {
          name,
          spec: pc.spec ?? "profile",
          description: pc.description,
          forEach: kind,
          steps: pc.steps,
          ...(pc.fromVersion !== undefined ? { fromVersion: pc.fromVersion } : {}),
        };
        planned.push({
          id: name,
          feature: "profile",
          scenario,
          kind,
          symbol,
          ...(known
            ? {}
            : {
                error: `the profile describes ${kind} ${symbol}, which the manifest does not list`,
              }),
        });
      }
    }
  }
  return planned;
}
