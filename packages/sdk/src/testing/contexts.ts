// Fake contexts for unit tests of a plugin's symbols, one per symbol kind:
// call a source's `open`, a sink's `collect` or a function's `exec` directly,
// without a host, and read back what the symbol logged, emitted or reported.

import type { JsonObject, JsonValue } from "@portable-plugins/protocol";
import type {
  Context,
  FunctionContext,
  Logger,
  LogLevel,
  SinkData,
  Source,
  SourceContext,
} from "../api.js";
import { messageOf } from "../errors.js";
import { sinkData } from "../runtime/sink-runtime.js";

/** One call to a captured logger. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly details: readonly unknown[];
}

/** A logger that keeps every entry instead of writing it. */
export interface CapturedLogger extends Logger {
  readonly entries: LogEntry[];
  /** The messages logged, of one level or of all. */
  messages(level?: LogLevel): string[];
}

export function captureLogger(): CapturedLogger {
  const entries: LogEntry[] = [];
  const at =
    (level: LogLevel) =>
    (message: string, ...details: unknown[]) => {
      entries.push({ level, message, details });
    };
  return {
    entries,
    messages: (level) =>
      entries.filter((e) => level === undefined || e.level === level).map((e) => e.message),
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}

export interface FakeContextOptions {
  /** Default "rule1". */
  readonly ruleId?: string;
  /** Default "op1". */
  readonly opId?: string;
  /** Default 0. */
  readonly instanceId?: number;
}

/** A context as the runtime builds it, with a captured logger and a signal the test aborts. */
export interface FakeContext extends Context {
  readonly logger: CapturedLogger;
  /** Aborts `signal`, as the runtime does when the host stops the instance. */
  abort(reason?: unknown): void;
}

export function fakeContext(options: FakeContextOptions = {}): FakeContext {
  const controller = new AbortController();
  return {
    ruleId: options.ruleId ?? "rule1",
    opId: options.opId ?? "op1",
    instanceId: options.instanceId ?? 0,
    logger: captureLogger(),
    signal: controller.signal,
    abort: (reason?: unknown) => controller.abort(reason),
  };
}

export interface FakeFunctionContext extends FakeContext, FunctionContext {
  readonly logger: CapturedLogger;
}

export function fakeFunctionContext(
  options: FakeContextOptions & { readonly funcId?: number } = {},
): FakeFunctionContext {
  return { ...fakeContext(options), funcId: options.funcId ?? 0 };
}

/** One message a source emitted. */
export interface EmittedTuple {
  readonly message: JsonValue;
  readonly meta: JsonObject | null;
}

export interface FakeSourceContextOptions extends FakeContextOptions {
  /** Aborts the signal once this many messages were emitted (errors not counted). */
  readonly stopAfter?: number;
  /** Called after each emit was counted (and recorded): to measure, or to abort. */
  readonly onEmit?: (tuple: EmittedTuple, ctx: FakeSourceContext) => void;
  /** Keep every emitted message in `emitted` (default true; false for long runs). */
  readonly record?: boolean;
}

export interface FakeSourceContext extends FakeContext, SourceContext {
  readonly logger: CapturedLogger;
  /** The messages emitted so far, in order (empty when `record` is false). */
  readonly emitted: EmittedTuple[];
  /** How many messages were emitted, recorded or not. */
  readonly emitCount: number;
  /** The text of every `emitError`, as the host would receive it. */
  readonly errors: string[];
}

export function fakeSourceContext(options: FakeSourceContextOptions = {}): FakeSourceContext {
  const base = fakeContext(options);
  const emitted: EmittedTuple[] = [];
  const errors: string[] = [];
  let count = 0;
  const ctx: FakeSourceContext = {
    ...base,
    emitted,
    errors,
    get emitCount() {
      return count;
    },
    // As the runtime's: after stop, emit does nothing; it never rejects.
    emit: async (message: JsonValue, meta?: JsonObject | null) => {
      if (base.signal.aborted) return;
      const tuple: EmittedTuple = { message, meta: meta ?? null };
      count++;
      if (options.record !== false) emitted.push(tuple);
      options.onEmit?.(tuple, ctx);
      if (options.stopAfter !== undefined && count >= options.stopAfter) base.abort();
    },
    emitError: async (error: unknown) => {
      if (!base.signal.aborted) errors.push(messageOf(error));
    },
  };
  return ctx;
}

export interface RunSourceOptions extends FakeSourceContextOptions {
  /** Passed to `configure` (skipped when neither is given). */
  readonly dataSource?: string;
  readonly props?: JsonObject;
}

/**
 * Runs a source as the runtime does, without a host: configure, open (call
 * `emit`, or return an async iterable, drained until stop), then close once
 * `open` has returned. Stop it with `stopAfter` or `ctx.abort()` from
 * `onEmit`. An error thrown by `open` is reported with `emitError`, as the
 * runtime sends it to the host. Resolves with the context, to read back.
 */
export async function runSource(
  source: Source,
  options: RunSourceOptions = {},
): Promise<FakeSourceContext> {
  const ctx = fakeSourceContext(options);
  if (options.props !== undefined || options.dataSource !== undefined)
    await source.configure?.(options.dataSource ?? "", options.props ?? {});
  try {
    const produced = await source.open(ctx);
    if (typeof produced === "object" && produced !== null && Symbol.asyncIterator in produced) {
      for await (const tuple of produced) {
        if (ctx.signal.aborted) break;
        await ctx.emit(tuple.message, tuple.meta ?? null);
      }
    }
  } catch (err) {
    await ctx.emitError(err);
  }
  await source.close?.(ctx);
  return ctx;
}

/** What a sink's `collect` gets for `value` (a row or an array of rows), decoded as the runtime does. */
export function fakeSinkData(value: JsonValue): SinkData {
  return sinkData(Buffer.from(JSON.stringify(value)));
}
