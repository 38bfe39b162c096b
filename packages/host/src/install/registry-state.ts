// The registry's state in memory (see registry.ts): the installed plugins by
// name, the index of the symbols they provide, the staging options and the
// runtime told of each change. Also the lookups every part of the registry
// uses (find, require, by symbol) and the error of a failed runtime hook.

import { join } from "node:path";
import type { SymbolKind } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { PluginRuntime } from "../runtime.js";
import type { InstalledPlugin } from "./plugin.js";
import type { StageOptions } from "./staging.js";
import { SymbolIndex } from "./symbol-index.js";

export class RegistryState {
  readonly pluginsDir: string;
  readonly etcDir: string | undefined;
  readonly plugins = new Map<string, InstalledPlugin>();
  readonly index = new SymbolIndex();
  readonly stage: Omit<StageOptions, "accept">;
  runtime: PluginRuntime;
  /** See RegistryOptions.onRemoved. */
  onRemoved: ((name: string) => Promise<unknown>) | undefined;

  constructor(
    pluginsDir: string,
    etcDir: string | undefined,
    stage: Omit<StageOptions, "accept">,
    runtime: PluginRuntime,
  ) {
    this.pluginsDir = pluginsDir;
    this.etcDir = etcDir;
    this.stage = stage;
    this.runtime = runtime;
  }

  add(plugin: InstalledPlugin): void {
    this.plugins.set(plugin.name, plugin);
    this.index.add(plugin);
  }

  remove(plugin: InstalledPlugin): void {
    this.plugins.delete(plugin.name);
    this.index.remove(plugin);
  }

  dirOf(name: string): string {
    return join(this.pluginsDir, name);
  }

  /** Installed plugins, by name. */
  list(): InstalledPlugin[] {
    return [...this.plugins.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** The plugin providing `symbol` of `kind` (what the supervisor starts for a rule). */
  findBySymbol(kind: SymbolKind, symbol: string): InstalledPlugin | undefined {
    const owner = this.index.owner(kind, symbol);
    return owner === undefined ? undefined : this.plugins.get(owner);
  }

  require(name: string): InstalledPlugin {
    const plugin = this.plugins.get(name);
    if (!plugin) {
      throw new HostError("PORTABLE_E_NOT_FOUND", `portable plugin ${name} is not found`, {
        plugin: name,
      });
    }
    return plugin;
  }

  provider(kind: SymbolKind, symbol: string): InstalledPlugin {
    const plugin = this.findBySymbol(kind, symbol);
    if (!plugin) {
      const message = `${kind} ${symbol} is not provided by any portable plugin`;
      throw new HostError("PORTABLE_E_NOT_FOUND", message, { symbol });
    }
    return plugin;
  }
}

export function runtimeError(err: unknown, plugin: string, what: string): HostError {
  if (HostError.is(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new HostError("PORTABLE_E_RUNTIME", `plugin ${plugin}: runtime ${what}: ${detail}`, {
    plugin,
    cause: err,
  });
}
