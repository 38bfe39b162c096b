// The set of installed plugins. The plugins folder IS the state: one folder
// per plugin, found again by `loadAll` at start. Changes are staged beside it
// and moved in with a rename. Downloads run outside any lock; unpacking,
// install.sh and the move in run under the plugin's own lock, so one plugin's
// slow script or hanging URL never holds another plugin's change. The runtime
// (supervisor) is told of each change through PluginRuntime.
//
// This file is the front and answers the queries; the jobs live beside it:
// registry-state.ts (the set in memory and its lookups), registry-changes.ts
// (gate, locks, cancellation), registry-install.ts (install and update),
// registry-remove.ts (uninstall), registry-load.ts (loading the folder).

import { resolve } from "node:path";
import type { JsonValue, SymbolKind } from "@portable-plugins/protocol";
import type { PluginRuntime } from "../runtime.js";
import type { FetchFn } from "./download.js";
import {
  type ConfigSet,
  DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS,
  DEFAULT_LIMITS,
  type ExtractLimits,
  type ResolvedConfig,
  resolveConfig,
} from "./package-format.js";
import type { InstalledPlugin, PluginDetails } from "./plugin.js";
import { ChangeGuard, type ChangeOptions, type InstallOptions } from "./registry-changes.js";
import { installPlugin, updatePlugin } from "./registry-install.js";
import { type LoadReport, loadAll } from "./registry-load.js";
import { uninstallPlugin } from "./registry-remove.js";
import { RegistryState } from "./registry-state.js";
import { describePlugin, sourceConfigSet, symbolDescription } from "./symbol-catalog.js";

export type { ChangeOptions, InstallOptions } from "./registry-changes.js";
export type { LoadReport } from "./registry-load.js";

export interface RegistryOptions {
  /** Folder holding one folder per plugin, e.g. `<dataDir>/plugins/portable`. */
  readonly pluginsDir: string;
  /** Operator folder whose `sources/<s>.yaml` (and descriptions) override the packages'. */
  readonly etcDir?: string;
  /** Folder for `<name>.install.log` files; without it only errors carry install.sh output. */
  readonly logDir?: string;
  readonly limits?: Partial<ExtractLimits>;
  readonly fetch?: FetchFn;
  /** Download timeout, ms (default 60 s). */
  readonly downloadTimeoutMs?: number;
  /** Largest downloaded package, bytes (default 512 MiB). */
  readonly maxDownloadBytes?: number;
  /** install.sh timeout, ms (default 2 min; its process group is killed). */
  readonly installScriptTimeoutMs?: number;
  readonly runtime?: PluginRuntime;
  /**
   * Called once a plugin's files are gone, inside the uninstall (the host drops
   * the plugin's state here, PROTOCOL.md §13); its failure fails the uninstall.
   */
  readonly onRemoved?: (name: string) => Promise<unknown>;
}

export class Registry {
  readonly pluginsDir: string;
  readonly etcDir: string | undefined;
  readonly #s: RegistryState;
  readonly #guard = new ChangeGuard();

  constructor(opts: RegistryOptions) {
    this.pluginsDir = resolve(opts.pluginsDir);
    this.etcDir = opts.etcDir === undefined ? undefined : resolve(opts.etcDir);
    const stage = {
      pluginsDir: this.pluginsDir,
      etcDir: this.etcDir,
      logDir: opts.logDir,
      limits: { ...DEFAULT_LIMITS, ...opts.limits },
      download: {
        fetch: opts.fetch,
        timeoutMs: opts.downloadTimeoutMs ?? 60_000,
        maxBytes: opts.maxDownloadBytes ?? 512 * 1024 * 1024,
      },
      installScriptTimeoutMs: opts.installScriptTimeoutMs ?? DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS,
    };
    this.#s = new RegistryState(this.pluginsDir, this.etcDir, stage, opts.runtime ?? {});
    if (opts.onRemoved) this.#s.onRemoved = opts.onRemoved;
  }

  /** Attaches the runtime (the supervisor) after construction. */
  setRuntime(runtime: PluginRuntime): void {
    this.#s.runtime = runtime;
  }

  get runtime(): PluginRuntime {
    return this.#s.runtime;
  }

  /**
   * Stops every change in progress that has not committed: downloads are
   * aborted and install.sh process groups killed. Later changes are refused.
   */
  close(): void {
    this.#guard.close();
  }

  // ---- changes -----------------------------------------------------------------------------------

  /** Installs plugin `name` from a zip path, folder, file:// or http(s):// URL. */
  install(name: string, from: string, opts: InstallOptions = {}): Promise<InstalledPlugin> {
    return installPlugin(this.#s, this.#guard, name, from, opts);
  }

  /**
   * Replaces plugin `name`'s files with a new package. The old folder stays
   * until the new one is checked and the runtime restarted the process.
   */
  update(name: string, from: string, opts: InstallOptions = {}): Promise<InstalledPlugin> {
    return updatePlugin(this.#s, this.#guard, name, from, opts);
  }

  /** Stops the plugin (through the runtime), then removes its files. */
  uninstall(name: string, opts: ChangeOptions = {}): Promise<void> {
    return uninstallPlugin(this.#s, this.#guard, name, opts);
  }

  /**
   * Registers every plugin folder under `pluginsDir` (at start). A broken
   * folder is reported and skipped; the others load. Leftovers of an
   * interrupted change are cleaned up first.
   */
  loadAll(): Promise<LoadReport> {
    return loadAll(this.#s, this.#guard);
  }

  // ---- queries -----------------------------------------------------------------------------------

  /** Installed plugins, by name. */
  list(): InstalledPlugin[] {
    return this.#s.list();
  }

  /** The plugin, or undefined. */
  find(name: string): InstalledPlugin | undefined {
    return this.#s.plugins.get(name);
  }

  /** The plugin providing `symbol` of `kind` (what the supervisor starts for a rule). */
  findBySymbol(kind: SymbolKind, symbol: string): InstalledPlugin | undefined {
    return this.#s.findBySymbol(kind, symbol);
  }

  /** The plugin with its symbols' configuration names and descriptions. */
  get(name: string): Promise<PluginDetails> {
    return describePlugin(this.#s.require(name), this.etcDir);
  }

  /** All named configurations of source `symbol`, read from its file each time. */
  sourceConfigSet(symbol: string): Promise<ConfigSet> {
    return sourceConfigSet(this.#s.provider("source", symbol), symbol, this.etcDir);
  }

  /**
   * The configuration of source `symbol` for `confKey` (eKuiper's CONF_KEY),
   * read from the file each time so edits apply to the next rule start.
   */
  async sourceConfig(symbol: string, confKey?: string): Promise<ResolvedConfig> {
    return resolveConfig(await this.sourceConfigSet(symbol), confKey);
  }

  /** The description `<kind>/<symbol>.json` of an installed symbol, as-is; undefined when none. */
  description(kind: SymbolKind, symbol: string): Promise<JsonValue | undefined> {
    return symbolDescription(this.#s.provider(kind, symbol), kind, symbol, this.etcDir);
  }
}
