// The read side of installed symbols: which configuration file and
// description is in effect for each symbol of a plugin, read from disk on
// every call so an operator's edit applies without a restart.

import {
  type JsonValue,
  SYMBOL_KINDS,
  type SymbolKind,
  symbolsOf,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import {
  type ConfigSet,
  DEFAULT_CONF_KEY,
  readConfigSet,
  readDescription,
  symbolFile,
} from "./package-format.js";
import type { InstalledPlugin, PluginDetails, SymbolInfo } from "./plugin.js";

/** All named configurations of source `symbol` of `plugin`. */
export async function sourceConfigSet(
  plugin: InstalledPlugin,
  symbol: string,
  etcDir: string | undefined,
): Promise<ConfigSet> {
  const path = await symbolFile(plugin.dir, "source", symbol, "yaml", { etcDir });
  if (!path) {
    const message = `plugin ${plugin.name}: sources/${symbol}.yaml is gone`;
    throw new HostError("PORTABLE_E_NOT_FOUND", message, { plugin: plugin.name, symbol });
  }
  return readConfigSet(path);
}

/** `<kind>/<symbol>.json` of `plugin`, as-is; undefined when it has none. */
export async function symbolDescription(
  plugin: InstalledPlugin,
  kind: SymbolKind,
  symbol: string,
  etcDir: string | undefined,
): Promise<JsonValue | undefined> {
  const path = await symbolFile(plugin.dir, kind, symbol, "json", { etcDir });
  return path ? readDescription(path) : undefined;
}

/** The plugin with, per symbol, its configuration names and description. */
export async function describePlugin(
  plugin: InstalledPlugin,
  etcDir: string | undefined,
): Promise<PluginDetails> {
  const symbols: Record<SymbolKind, SymbolInfo[]> = { source: [], sink: [], function: [] };
  for (const kind of SYMBOL_KINDS) {
    for (const name of symbolsOf(plugin.manifest, kind)) {
      const description = await symbolDescription(plugin, kind, name, etcDir);
      const configPath =
        kind === "source"
          ? await symbolFile(plugin.dir, kind, name, "yaml", { etcDir })
          : undefined;
      const keys = configPath ? Object.keys(await readConfigSet(configPath)) : undefined;
      // `default` first: it is the base every other configuration overrides.
      const configKeys = keys?.includes(DEFAULT_CONF_KEY)
        ? [DEFAULT_CONF_KEY, ...keys.filter((k) => k !== DEFAULT_CONF_KEY)]
        : keys;
      symbols[kind].push({
        kind,
        name,
        ...(configPath ? { configPath } : {}),
        ...(configKeys ? { configKeys } : {}),
        ...(description === undefined ? {} : { description }),
      });
    }
  }
  return { plugin, sources: symbols.source, sinks: symbols.sink, functions: symbols.function };
}
