// What a step runs against: the case's session (host side), the subject,
// the profile entry of the case's symbol, and the placeholder values.

import { type JsonObject, type JsonValue, symbolListOf } from "@portable-plugins/protocol";
import type { Session } from "../driver/session.js";
import { ConformanceError } from "../errors.js";
import type { Kind, Profile, ProfileSymbol, StepName } from "../scenario/types.js";
import type { Subject } from "../subject/types.js";

export interface StepContext {
  readonly session: Session;
  readonly subject: Subject;
  readonly profile: Profile | undefined;
  /** The kind and symbol of a forEach or profile case. */
  readonly kind: Kind | undefined;
  readonly symbol: string | undefined;
  readonly rule: string;
  readonly tmpdir: string;
  /** The step after the current one (start/stop check `ok` unless it is expectAnswer). */
  next: StepName | undefined;
  /**
   * The protocol version the plugin should have chosen for this launch's
   * offer and the versions it declares (§10.3); undefined when it has none in
   * common and must refuse to start (exit status 2).
   */
  readonly expectedVersion: number | undefined;
  /** The case's id (what `--only` matches) and the run's seed for generated inputs (checkTypes). */
  readonly caseId: string;
  readonly seed: number;
  /** Generated inputs per property case, when the suite sets it (`--runs`). */
  readonly runs: number | undefined;
}

export function profileSymbol(
  ctx: StepContext,
  kind: Kind,
  symbol: string,
): ProfileSymbol | undefined {
  return ctx.profile?.[symbolListOf(kind)]?.[symbol];
}

/** Fills `${symbol}`, `${rule}`, `${plugin}`, `${tmpdir}` in strings, and `"${args}"` as a value. */
export function fill<T>(ctx: StepContext, value: T): T {
  const vars: Record<string, string | undefined> = {
    symbol: ctx.symbol,
    rule: ctx.rule,
    plugin: ctx.subject.name,
    tmpdir: ctx.tmpdir,
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a scenario placeholder, not a template
      if (v === "${args}") {
        const args =
          ctx.symbol === undefined ? undefined : profileSymbol(ctx, "function", ctx.symbol)?.args;
        return args ?? ["conformance"];
      }
      return v.replace(/\$\{([a-z]+)\}/g, (all, name: string) => {
        if (!(name in vars)) {
          throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", `unknown placeholder ${all}`);
        }
        const value = vars[name];
        if (value === undefined) {
          throw new ConformanceError(
            "PORTABLE_E_CONF_SCENARIO",
            `placeholder ${all} used in a case without a symbol (add forEach)`,
          );
        }
        return value;
      });
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === "object" && v !== null) {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/** The config a start uses when the step gives none (profile, else the source's yaml default). */
export function defaultConfig(
  ctx: StepContext,
  kind: Kind,
  symbol: string,
): JsonObject | undefined {
  const fromProfile = profileSymbol(ctx, kind, symbol)?.config;
  if (fromProfile) return fill(ctx, fromProfile);
  if (kind === "source") return ctx.subject.sourceDefaults[symbol];
  return undefined;
}

export type { JsonValue };
