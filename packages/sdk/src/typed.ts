// Typed symbols for plugin authors (PROTOCOL.md §6.4.1): the shapes that
// `portable-gen` generates from a package's schemas (a `PluginTypes`), and
// the typed variants of the author interfaces that `definePlugin<Types>`
// checks a definition against — so a function that reads a parameter as the
// wrong type, a source that emits a row of the wrong shape or a missing
// symbol is a `tsc` error. At run time nothing changes: the host checks
// arguments and configurations against the same schemas before the plugin
// sees them (a host that does not, such as eKuiper's, passes them unchecked).

import type { JsonObject, JsonValue } from "@portable-plugins/protocol";
import type { Context, FunctionContext, PluginFunction, Sink, Source } from "./api.js";

/** A function's types: its argument tuple and its result. */
export interface FunctionTypes {
  readonly args: readonly JsonValue[];
  readonly result: JsonValue;
}

/** A source's or sink's types: its configuration and one row. */
export interface SymbolTypes {
  readonly config: JsonObject;
  readonly row: JsonValue;
}

/** Every symbol of a plugin with its types, as `portable-gen` writes them. */
export interface PluginTypes {
  readonly functions: { readonly [name: string]: FunctionTypes };
  readonly sources: { readonly [name: string]: SymbolTypes };
  readonly sinks: { readonly [name: string]: SymbolTypes };
}

export interface TypedFunction<F extends FunctionTypes>
  extends Omit<PluginFunction, "validate" | "exec"> {
  validate?(args: F["args"]): void | Promise<void>;
  exec(args: F["args"], ctx: FunctionContext): F["result"] | Promise<F["result"]>;
}

export interface TypedSourceTuple<Row> {
  readonly message: Row;
  readonly meta?: JsonObject | null;
}

export interface TypedSourceContext<Row> extends Context {
  emit(message: Row, meta?: JsonObject | null): Promise<void>;
  emitError(error: unknown): Promise<void>;
}

export interface TypedSource<S extends SymbolTypes> extends Omit<Source, "configure" | "open"> {
  configure?(dataSource: string, props: S["config"]): void | Promise<void>;
  open(
    ctx: TypedSourceContext<S["row"]>,
  ): void | Promise<void> | AsyncIterable<TypedSourceTuple<S["row"]>>;
}

export interface TypedSinkData<Row> {
  readonly raw: Buffer;
  json(): JsonValue;
  rows(): Row[];
}

export interface TypedSink<S extends SymbolTypes> extends Omit<Sink, "configure" | "collect"> {
  configure?(props: S["config"]): void | Promise<void>;
  collect(ctx: Context, data: TypedSinkData<S["row"]>): void | Promise<void>;
}

/** A plugin definition checked against generated `Types`: every symbol present, each typed. */
export interface TypedPluginDefinition<Types extends PluginTypes> {
  readonly name: string;
  readonly sources: {
    readonly [K in keyof Types["sources"]]: () => TypedSource<Types["sources"][K]>;
  };
  readonly sinks: { readonly [K in keyof Types["sinks"]]: () => TypedSink<Types["sinks"][K]> };
  readonly functions: {
    readonly [K in keyof Types["functions"]]: () => TypedFunction<Types["functions"][K]>;
  };
}
