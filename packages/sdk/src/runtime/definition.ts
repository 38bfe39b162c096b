// Checks a plugin definition before anything is started, so that a mistake
// is reported at once and by name (PROTOCOL.md §6: names and collisions).

import type { PluginDefinition } from "../api.js";
import { SdkError } from "../errors.js";
import type { PluginTypes, TypedPluginDefinition } from "../typed.js";

const NAME = /^[A-Za-z0-9_-]+$/;

export function validateDefinition(def: PluginDefinition): PluginDefinition {
  const fail = (m: string, symbol?: string) =>
    new SdkError(
      "PORTABLE_E_DEFINITION",
      `plugin ${def.name}: ${m}`,
      symbol === undefined ? { plugin: def.name } : { plugin: def.name, symbol },
    );
  if (!NAME.test(def.name)) throw fail("a plugin name uses only letters, digits, _ and -");
  let count = 0;
  for (const [kind, table] of [
    ["source", def.sources],
    ["sink", def.sinks],
    ["function", def.functions],
  ] as const) {
    for (const [symbol, factory] of Object.entries(table ?? {})) {
      if (!NAME.test(symbol))
        throw fail(`${kind} name ${JSON.stringify(symbol)}: only letters, digits, _ and -`, symbol);
      if (typeof factory !== "function")
        throw fail(`${kind} ${symbol}: expected a factory function`, symbol);
      count++;
    }
  }
  if (count === 0) throw fail("defines no source, sink or function");
  return def;
}

/**
 * Declares a plugin; the identity function, for type inference and early
 * checks. With the types `portable-gen` generated from the package's schemas
 * (`definePlugin<MirrorTypes>({...})`), the definition is checked against
 * them: a symbol missing, an argument read as the wrong type, a row of the
 * wrong shape is a compile error (PROTOCOL.md §6.4.1).
 */
export function definePlugin<const T extends PluginDefinition>(def: T): T;
export function definePlugin<Types extends PluginTypes>(
  def: TypedPluginDefinition<Types>,
): PluginDefinition;
export function definePlugin(def: PluginDefinition): PluginDefinition {
  validateDefinition(def);
  return def;
}
