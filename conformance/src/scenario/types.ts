// The shape of scenario and profile files, as checked by
// schema/scenario.schema.json and schema/profile.schema.json. The schema is
// the documentation of the step vocabulary; these types mirror it.

import type { JsonObject, JsonValue, Language, SymbolKind } from "@portable-plugins/protocol";

export type Kind = SymbolKind;
export type Severity = "must" | "should";

export interface TextMatcher {
  readonly equals?: string;
  readonly startsWith?: string;
  readonly notStartingWith?: string;
  readonly contains?: string;
  readonly matches?: string;
}

export interface QuirkWhen extends TextMatcher {
  readonly none?: true;
  readonly noAckConnection?: true;
  readonly ackConnected?: true;
  readonly language?: Language;
  readonly resultNotString?: true;
  readonly peersAbove?: number;
}

export interface Quirk {
  readonly when: QuirkWhen;
  readonly warn: string;
}

interface Checked {
  readonly severity?: Severity;
  readonly quirks?: readonly Quirk[];
}

export interface StartParams {
  readonly kind?: Kind;
  readonly symbol?: string;
  readonly as?: string;
  readonly config?: JsonObject;
  readonly with?: JsonObject;
  readonly dataSource?: string;
  readonly dataSourceKey?: "dataSource" | "datasource" | "config";
  readonly ruleId?: string;
  readonly opId?: string;
  readonly instanceId?: number;
  /** Send the Control without `meta` (PROTOCOL.md §4.3, §9.3.2 Q32, Q37). */
  readonly withoutMeta?: true;
}

export interface StepParams {
  expectHandshake: Checked;
  start: StartParams;
  stop: { readonly as?: string };
  sendRaw: {
    readonly channel: "control" | "function" | "sink";
    readonly as?: string;
    readonly text: string;
  };
  expectAnswer: Checked & { readonly ok?: true; readonly error?: TextMatcher; readonly any?: true };
  expectSource: Checked & {
    readonly as?: string;
    readonly count?: number;
    readonly within?: number;
    readonly equals?: JsonValue;
    readonly example?: JsonObject;
    readonly schema?: JsonObject;
    readonly meta?: JsonValue;
  };
  expectNoSource: Checked & { readonly as?: string; readonly for?: number };
  sendSink: {
    readonly as?: string;
    readonly rows?: JsonValue;
    readonly text?: string;
    readonly times?: number;
  };
  expectAck: Checked & {
    readonly as?: string;
    readonly ok?: true;
    readonly error?: TextMatcher;
    readonly none?: true;
    readonly count?: number;
    readonly within?: number;
  };
  expectDelivered: Checked & {
    readonly as?: string;
    readonly rows: readonly JsonValue[];
    readonly within?: number;
  };
  expectServes: Checked;
  expectFile: Checked & {
    readonly path: string;
    readonly lines?: readonly JsonValue[];
    readonly contains?: string;
    readonly within?: number;
  };
  call: {
    readonly function?: string;
    readonly method: string;
    readonly args?: JsonValue;
    readonly context?: JsonObject | false;
  };
  expectReply: Checked & {
    readonly state?: boolean;
    readonly result?: JsonValue;
    readonly resultType?: "string" | "boolean" | "number" | "object" | "array" | "null";
    readonly resultMatches?: TextMatcher;
  };
  idle: { readonly ms: number };
  expectKeepalive: Checked & {
    readonly channel: "control" | "function";
    readonly function?: string;
    readonly atLeast?: number;
  };
  kill: { readonly signal: "SIGTERM" | "SIGINT" | "SIGKILL" };
  expectExit: Checked & { readonly within?: number; readonly code?: number };
  expectRunning: Checked & { readonly for?: number };
  restart: Record<string, never>;
  closeControl: Record<string, never>;
  expectNoSocketFiles: Checked;
  expectPeers: Checked & { readonly function?: string; readonly count: number };
}

export type StepName = keyof StepParams;
/** One step: an object with exactly one key, the step name. */
export type Step = { [K in StepName]: { readonly [P in K]: StepParams[K] } }[StepName];

export interface ScenarioCase {
  readonly name: string;
  readonly spec: string;
  readonly description: string;
  readonly forEach?: Kind;
  readonly orElse?: { readonly warn: string; readonly steps: readonly Step[] };
  readonly steps: readonly Step[];
}

export interface Feature {
  readonly feature: string;
  readonly description: string;
  readonly cases: readonly ScenarioCase[];
  /** The file it was read from. */
  readonly file: string;
}

export interface ProfileSymbol {
  readonly config?: JsonObject;
  readonly args?: readonly JsonValue[];
  /** Sinks: the file the sink writes its rows to as JSON lines, for expectDelivered. */
  readonly output?: string;
  readonly cases?: readonly {
    readonly name: string;
    readonly description: string;
    readonly spec?: string;
    readonly steps: readonly Step[];
  }[];
}

export interface Profile {
  readonly description?: string;
  readonly sources?: Readonly<Record<string, ProfileSymbol>>;
  readonly sinks?: Readonly<Record<string, ProfileSymbol>>;
  readonly functions?: Readonly<Record<string, ProfileSymbol>>;
  readonly file: string;
}

export function stepName(step: Step): StepName {
  return Object.keys(step)[0] as StepName;
}

export function stepParams<K extends StepName>(step: Step, name: K): StepParams[K] {
  return (step as Record<K, StepParams[K]>)[name];
}
