// Which plugin provides each symbol. Names are unique per kind across all
// installed plugins: a rule names a source or sink by type alone, and a
// function's channel `/tmp/func_<name>.ipc` is keyed by its name alone.

import {
  functionSocketPath,
  SYMBOL_KINDS,
  type SymbolKind,
  symbolsOf,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { InstalledPlugin } from "./plugin.js";

export class SymbolIndex {
  readonly #owners: Record<SymbolKind, Map<string, string>> = {
    source: new Map(),
    sink: new Map(),
    function: new Map(),
  };

  /** The plugin providing `symbol` of `kind`. */
  owner(kind: SymbolKind, symbol: string): string | undefined {
    return this.#owners[kind].get(symbol);
  }

  /**
   * Throws when `plugin` declares a symbol another plugin already provides.
   * `replacing` names the plugin being updated, whose own symbols do not count.
   */
  checkFree(plugin: InstalledPlugin, replacing?: string): void {
    for (const kind of SYMBOL_KINDS) {
      for (const symbol of symbolsOf(plugin.manifest, kind)) {
        const other = this.#owners[kind].get(symbol);
        if (other === undefined || other === replacing) continue;
        if (kind === "function") {
          throw new HostError(
            "PORTABLE_E_FUNCTION_COLLISION",
            `plugin ${plugin.name}: function ${symbol} is already defined by plugin ${other}; ` +
              `both would serve it on ${functionSocketPath(symbol)} (the function channel is keyed by the function name alone)`,
            { plugin: plugin.name, symbol },
          );
        }
        throw new HostError(
          "PORTABLE_E_CONFLICT",
          `plugin ${plugin.name}: ${kind} ${symbol} is already provided by plugin ${other}`,
          { plugin: plugin.name, symbol },
        );
      }
    }
  }

  add(plugin: InstalledPlugin): void {
    for (const kind of SYMBOL_KINDS) {
      for (const symbol of symbolsOf(plugin.manifest, kind))
        this.#owners[kind].set(symbol, plugin.name);
    }
  }

  remove(plugin: InstalledPlugin): void {
    for (const kind of SYMBOL_KINDS) {
      for (const symbol of symbolsOf(plugin.manifest, kind)) {
        if (this.#owners[kind].get(symbol) === plugin.name) this.#owners[kind].delete(symbol);
      }
    }
  }
}
