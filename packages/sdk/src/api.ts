// What a plugin author implements: sources, sinks and functions, and the
// context each is given. Mirrors the reference SDKs' interfaces (PROTOCOL.md
// §1), made async and typed.

import type { JsonObject, JsonValue } from "@portable-plugins/protocol";

export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, ...details: unknown[]): void;
  info(message: string, ...details: unknown[]): void;
  warn(message: string, ...details: unknown[]): void;
  error(message: string, ...details: unknown[]): void;
}

/** Where a symbol instance runs: the rule, the operator and the instance number. */
export interface Context {
  readonly ruleId: string;
  readonly opId: string;
  readonly instanceId: number;
  readonly logger: Logger;
  /** Aborted when the host stops this instance or the plugin shuts down. */
  readonly signal: AbortSignal;
}

export interface FunctionContext extends Context {
  readonly funcId: number;
}

export interface SourceTuple {
  readonly message: JsonValue;
  readonly meta?: JsonObject | null;
}

export interface SourceContext extends Context {
  /**
   * Sends one message to the host. Resolves when it is handed over, or after
   * the plugin's send timeout (the message is then dropped and logged, as the
   * reference SDKs do). Never rejects; after stop it does nothing.
   */
  emit(message: JsonValue, meta?: JsonObject | null): Promise<void>;
  /** Reports a failure to the host; the instance keeps running unless it returns. */
  emitError(error: unknown): Promise<void>;
}

export interface Source {
  /** The data source (topic, path...) and the properties of the start command. Throw to refuse. */
  configure?(dataSource: string, props: JsonObject): void | Promise<void>;
  /**
   * Starts producing: call `ctx.emit` until `ctx.signal` aborts, or return an
   * async iterable of tuples, which the runtime drains until stop.
   */
  open(ctx: SourceContext): void | Promise<void> | AsyncIterable<SourceTuple>;
  close?(ctx: Context): void | Promise<void>;
}

/** One message the host sent to a sink: a row object or an array of rows, JSON encoded. */
export interface SinkData {
  /** The bytes as received. */
  readonly raw: Buffer;
  /** The decoded JSON (a row object or an array of rows). */
  json(): JsonValue;
  /** The rows as a list, whichever form the host sent. */
  rows(): JsonObject[];
}

export interface Sink {
  /** The properties of the start command. Throw to refuse. */
  configure?(props: JsonObject): void | Promise<void>;
  open?(ctx: Context): void | Promise<void>;
  /** Handles one message. When the host asks for acks, resolving acks success and throwing acks the error. */
  collect(ctx: Context, data: SinkData): void | Promise<void>;
  close?(ctx: Context): void | Promise<void>;
}

export interface PluginFunction {
  /** Checks the argument list when a rule is created. Throw (or reject) to refuse it, with the reason. */
  validate?(args: JsonValue[]): void | Promise<void>;
  /** Computes the result for one call. Throw to fail the call. */
  exec(args: JsonValue[], ctx: FunctionContext): JsonValue | Promise<JsonValue>;
  /** Whether the function aggregates over a group. Default false. */
  isAggregate?(): boolean;
}

/** A plugin: its name (that of its `<name>.json` manifest) and its symbols, each by a factory. */
export interface PluginDefinition {
  readonly name: string;
  readonly sources?: Readonly<Record<string, () => Source>>;
  readonly sinks?: Readonly<Record<string, () => Sink>>;
  /** One instance per symbol serves every rule, as in the reference SDKs. */
  readonly functions?: Readonly<Record<string, () => PluginFunction>>;
}
