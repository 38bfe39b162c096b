// Host validation of typed symbols (PROTOCOL.md §6.4.1): a function call
// whose arguments do not fit the declared signature, or a source or sink
// start whose configuration does not fit its schema, is refused here with
// PORTABLE_E_TYPE — before the plugin sees it. The schemas of an install are
// compiled once, on first use, and kept as long as that install's record.

import {
  type CompiledSchemas,
  type CompiledSignature,
  compileSchemas,
  type PluginSchemas,
  type ValueProblem,
} from "@portable-plugins/package";
import type { JsonObject } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { InstalledPlugin } from "../install/plugin.js";

const compiled = new WeakMap<PluginSchemas, CompiledSchemas>();

/** The compiled schemas of an installed plugin; undefined when it declares none. */
export function compiledSchemas(plugin: InstalledPlugin): CompiledSchemas | undefined {
  const schemas = plugin.schemas;
  if (schemas === undefined) return undefined;
  let out = compiled.get(schemas);
  if (out === undefined) {
    out = compileSchemas(schemas);
    compiled.set(schemas, out);
  }
  return out;
}

/** The PORTABLE_E_TYPE error for `problem` of `kind` `symbol`. */
export function typeError(
  plugin: string,
  kind: "function" | "source" | "sink",
  symbol: string,
  problem: ValueProblem,
): HostError {
  return new HostError(
    "PORTABLE_E_TYPE",
    `plugin ${plugin}: ${kind} ${symbol}: ${problem.message}`,
    {
      plugin,
      symbol,
    },
  );
}

/**
 * The signature of function `symbol`, looked up once per install: `lookup()`
 * returns the compiled signature (or undefined), recomputed only when the
 * plugin's install record changed.
 */
export function signatureLookup(
  current: () => InstalledPlugin,
  symbol: string,
): () => CompiledSignature | undefined {
  let seen: InstalledPlugin | undefined;
  let sig: CompiledSignature | undefined;
  return () => {
    const plugin = current();
    if (plugin !== seen) {
      seen = plugin;
      sig = compiledSchemas(plugin)?.functions.get(symbol);
    }
    return sig;
  };
}

/**
 * Throws PORTABLE_E_TYPE when `config` does not fit the configuration schema
 * of source or sink `symbol`. For a source, a `datasource` key equal to the
 * stream's data source is the host's own addition (§4.3) and is not checked.
 */
export function checkStartConfig(
  plugin: InstalledPlugin,
  kind: "source" | "sink",
  symbol: string,
  config: JsonObject,
  dataSource?: string,
): void {
  const symbols = compiledSchemas(plugin)?.[kind === "source" ? "sources" : "sinks"];
  const check = symbols?.get(symbol)?.checkConfig;
  if (check === undefined) return;
  let own = config;
  if (dataSource !== undefined && config["datasource"] === dataSource) {
    const { datasource: _added, ...rest } = config;
    own = rest;
  }
  const problem = check(own);
  if (problem) throw typeError(plugin.name, kind, symbol, problem);
}
