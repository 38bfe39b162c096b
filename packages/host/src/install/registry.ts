// The set of installed plugins. The plugins folder IS the state: one folder
// per plugin, found again by `loadAll` at start. Changes are staged beside it
// and moved in with a rename. Downloads run outside any lock; unpacking,
// install.sh and the move in run under the plugin's own lock, so one plugin's
// slow script or hanging URL never holds another plugin's change. The runtime
// (supervisor) is told of each change through PluginRuntime.

import { mkdir, readdir, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { JsonValue } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import { checkPluginName, type SymbolKind } from "../names.js";
import type { PluginRuntime } from "../runtime.js";
import type { FetchFn } from "./download.js";
import { Gate, KeyedLock, throwIfCancelled } from "./locks.js";
import {
  type ConfigSet,
  checkPackage,
  DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS,
  DEFAULT_LIMITS,
  type ExtractLimits,
  type ResolvedConfig,
  relocate,
  resolveConfig,
} from "./package-format.js";
import type { InstalledPlugin, PluginDetails } from "./plugin.js";
import {
  fetchPackage,
  moveIfPresent,
  OLD_PREFIX,
  recoverLeftovers,
  type Staged,
  type StageOptions,
  sidePath,
  stagePackage,
  TRASH_PREFIX,
} from "./staging.js";
import { describePlugin, sourceConfigSet, symbolDescription } from "./symbol-catalog.js";
import { SymbolIndex } from "./symbol-index.js";

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
}

export interface InstallOptions {
  /** Arguments for the package's install.sh (the REST body's `shellParas`). */
  readonly shellParas?: readonly string[];
  /** Cancels the change until it commits (e.g. the REST client went away). */
  readonly signal?: AbortSignal;
}

export interface ChangeOptions {
  /** Cancels the change until it commits (e.g. the REST client went away). */
  readonly signal?: AbortSignal;
}

export interface LoadReport {
  /** Plugins registered by this call. */
  readonly loaded: readonly string[];
  /** Folders that are not valid plugins (not registered), and why. */
  readonly failed: readonly { readonly name: string; readonly error: HostError }[];
  /** Registered plugins whose runtime hook failed (e.g. the process did not start). */
  readonly runtimeErrors: readonly { readonly name: string; readonly error: HostError }[];
  /** Entries of the plugins folder that are not folders. */
  readonly skipped: readonly string[];
}

export class Registry {
  readonly pluginsDir: string;
  readonly etcDir: string | undefined;
  readonly #plugins = new Map<string, InstalledPlugin>();
  readonly #index = new SymbolIndex();
  readonly #stage: Omit<StageOptions, "accept">;
  #runtime: PluginRuntime;
  readonly #locks = new KeyedLock();
  readonly #gate = new Gate();
  readonly #closer = new AbortController();

  constructor(opts: RegistryOptions) {
    this.pluginsDir = resolve(opts.pluginsDir);
    this.etcDir = opts.etcDir === undefined ? undefined : resolve(opts.etcDir);
    this.#runtime = opts.runtime ?? {};
    this.#stage = {
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
  }

  /** Attaches the runtime (the supervisor) after construction. */
  setRuntime(runtime: PluginRuntime): void {
    this.#runtime = runtime;
  }

  get runtime(): PluginRuntime {
    return this.#runtime;
  }

  /**
   * Runs change `op` beside other changes (never beside `loadAll`), with a
   * signal that fires when the caller's does or the registry closes.
   */
  async #change<T>(
    what: string,
    name: string,
    callerSignal: AbortSignal | undefined,
    op: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.#closer.signal.aborted) {
      throw new HostError(
        "PORTABLE_E_CLOSED",
        `${what} of plugin ${name}: the registry is closed`,
        {
          plugin: name,
        },
      );
    }
    const signal = callerSignal
      ? AbortSignal.any([callerSignal, this.#closer.signal])
      : this.#closer.signal;
    const leave = await this.#gate.shared();
    try {
      throwIfCancelled(signal, `${what} of plugin ${name}`, name);
      return await op(signal);
    } finally {
      leave();
    }
  }

  /** Runs `op` holding plugin `name`'s lock; throws PORTABLE_E_CANCELLED if `signal` fires first. */
  async #locked<T>(name: string, what: string, signal: AbortSignal, op: () => Promise<T>) {
    const release = await this.#locks.acquire(name, signal, `${what} of plugin ${name}`);
    try {
      throwIfCancelled(signal, `${what} of plugin ${name}`, name);
      return await op();
    } finally {
      release();
    }
  }

  /**
   * Stops every change in progress that has not committed: downloads are
   * aborted and install.sh process groups killed. Later changes are refused.
   */
  close(): void {
    if (!this.#closer.signal.aborted) this.#closer.abort(new Error("the host is stopping"));
  }

  #add(plugin: InstalledPlugin): void {
    this.#plugins.set(plugin.name, plugin);
    this.#index.add(plugin);
  }

  #remove(plugin: InstalledPlugin): void {
    this.#plugins.delete(plugin.name);
    this.#index.remove(plugin);
  }

  #dirOf(name: string): string {
    return join(this.pluginsDir, name);
  }

  /** Installs plugin `name` from a zip path, folder, file:// or http(s):// URL. */
  install(name: string, from: string, opts: InstallOptions = {}): Promise<InstalledPlugin> {
    return this.#change("install", name, opts.signal, async (signal) => {
      checkPluginName(name);
      const target = this.#dirOf(name);
      const conflict = async () => {
        const onDisk = await stat(target).then(
          () => true,
          () => false,
        );
        if (this.#plugins.has(name) || onDisk) {
          throw new HostError("PORTABLE_E_CONFLICT", `portable plugin ${name} already exists`, {
            plugin: name,
          });
        }
      };
      await conflict();
      await mkdir(this.pluginsDir, { recursive: true });
      const stage = {
        ...this.#stage,
        accept: (candidate: InstalledPlugin) => this.#index.checkFree(candidate),
      };
      const source = await this.#fetch(from, stage, signal, "install", name);
      try {
        return await this.#locked(name, "install", signal, async () => {
          await conflict();
          const staged = await this.#cancellable(signal, "install", name, () =>
            stagePackage(name, source, stage, opts.shellParas, signal),
          );
          return this.#commitInstall(name, target, staged);
        });
      } finally {
        await source.cleanup();
      }
    });
  }

  /** Fetches `from` under `signal`; a failure after the signal fired is the cancellation. */
  async #fetch(from: string, stage: StageOptions, signal: AbortSignal, what: string, name: string) {
    try {
      return await fetchPackage(from, stage, signal);
    } catch (err) {
      throwIfCancelled(signal, `${what} of plugin ${name}`, name);
      throw err;
    }
  }

  /** Stages under `signal`; an error after the signal fired is reported as the cancellation. */
  async #cancellable(
    signal: AbortSignal,
    what: string,
    name: string,
    op: () => Promise<Staged>,
  ): Promise<Staged> {
    let staged: Staged;
    try {
      staged = await op();
    } catch (err) {
      throwIfCancelled(signal, `${what} of plugin ${name}`, name);
      throw err;
    }
    if (signal.aborted) {
      await staged.discard();
      throwIfCancelled(signal, `${what} of plugin ${name}`, name);
    }
    return staged;
  }

  async #commitInstall(name: string, target: string, staged: Staged): Promise<InstalledPlugin> {
    // Symbols are claimed synchronously: another plugin may have committed since staging.
    try {
      this.#index.checkFree(staged.plugin);
    } catch (err) {
      await staged.discard();
      throw err;
    }
    this.#index.add(staged.plugin);
    try {
      await moveIfPresent(staged.plugin.dir, target);
    } catch (err) {
      this.#index.remove(staged.plugin);
      await staged.discard();
      throw HostError.from(err, "PORTABLE_E_INSTALL", { plugin: name, path: target });
    }
    const plugin = relocate(staged.plugin, target);
    this.#plugins.set(name, plugin);
    try {
      await this.#runtime.pluginAdded?.(plugin, "install");
    } catch (err) {
      this.#remove(plugin);
      await rm(target, { recursive: true, force: true });
      throw runtimeError(err, name, "could not start");
    }
    return plugin;
  }

  /**
   * Replaces plugin `name`'s files with a new package. The old folder stays
   * until the new one is checked and the runtime restarted the process.
   */
  update(name: string, from: string, opts: InstallOptions = {}): Promise<InstalledPlugin> {
    return this.#change("update", name, opts.signal, async (signal) => {
      this.#require(name);
      const stage = {
        ...this.#stage,
        accept: (candidate: InstalledPlugin) => this.#index.checkFree(candidate, name),
      };
      const source = await this.#fetch(from, stage, signal, "update", name);
      try {
        return await this.#locked(name, "update", signal, async () => {
          this.#require(name);
          const staged = await this.#cancellable(signal, "update", name, () =>
            stagePackage(name, source, stage, opts.shellParas, signal),
          );
          return this.#commitUpdate(name, staged);
        });
      } finally {
        await source.cleanup();
      }
    });
  }

  async #commitUpdate(name: string, staged: Staged): Promise<InstalledPlugin> {
    const previous = this.#require(name);
    const target = this.#dirOf(name);
    this.#index.remove(previous);
    try {
      this.#index.checkFree(staged.plugin);
    } catch (err) {
      this.#index.add(previous);
      await staged.discard();
      throw err;
    }
    this.#index.add(staged.plugin);
    const old = sidePath(this.pluginsDir, OLD_PREFIX, name);
    try {
      await moveIfPresent(target, old);
      await moveIfPresent(staged.plugin.dir, target);
    } catch (err) {
      await moveIfPresent(old, target).catch(() => undefined);
      this.#index.remove(staged.plugin);
      this.#index.add(previous);
      await staged.discard();
      throw HostError.from(err, "PORTABLE_E_INSTALL", { plugin: name, path: target });
    }
    const plugin = relocate(staged.plugin, target);
    this.#plugins.set(name, plugin);
    try {
      await this.#runtime.pluginUpdated?.(plugin, previous);
    } catch (err) {
      // Put the previous version back, and have the runtime run it again.
      const failed = sidePath(this.pluginsDir, TRASH_PREFIX, name);
      await moveIfPresent(target, failed);
      await moveIfPresent(old, target);
      this.#remove(plugin);
      this.#add(previous);
      await rm(failed, { recursive: true, force: true });
      await Promise.resolve(this.#runtime.pluginUpdated?.(previous, plugin)).catch(() => undefined);
      throw runtimeError(err, name, "could not restart with the new version");
    }
    await rm(old, { recursive: true, force: true });
    return plugin;
  }

  /** Stops the plugin (through the runtime), then removes its files. */
  uninstall(name: string, opts: ChangeOptions = {}): Promise<void> {
    return this.#change("uninstall", name, opts.signal, async (signal) => {
      this.#require(name);
      await this.#locked(name, "uninstall", signal, async () => {
        const plugin = this.#require(name);
        try {
          await this.#runtime.pluginRemoving?.(plugin);
        } catch (err) {
          throw runtimeError(err, name, "could not stop");
        }
        const trash = sidePath(this.pluginsDir, TRASH_PREFIX, name);
        try {
          await moveIfPresent(plugin.dir, trash);
        } catch (err) {
          throw HostError.from(err, "PORTABLE_E_INSTALL", { plugin: name, path: plugin.dir });
        }
        this.#remove(plugin);
        await rm(trash, { recursive: true, force: true });
      });
    });
  }

  /** Installed plugins, by name. */
  list(): InstalledPlugin[] {
    return [...this.#plugins.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  }

  /** The plugin, or undefined. */
  find(name: string): InstalledPlugin | undefined {
    return this.#plugins.get(name);
  }

  /** The plugin providing `symbol` of `kind` (what the supervisor starts for a rule). */
  findBySymbol(kind: SymbolKind, symbol: string): InstalledPlugin | undefined {
    const owner = this.#index.owner(kind, symbol);
    return owner === undefined ? undefined : this.#plugins.get(owner);
  }

  #require(name: string): InstalledPlugin {
    const plugin = this.#plugins.get(name);
    if (!plugin) {
      throw new HostError("PORTABLE_E_NOT_FOUND", `portable plugin ${name} is not found`, {
        plugin: name,
      });
    }
    return plugin;
  }

  /** The plugin with its symbols' configuration names and descriptions. */
  get(name: string): Promise<PluginDetails> {
    return describePlugin(this.#require(name), this.etcDir);
  }

  #provider(kind: SymbolKind, symbol: string): InstalledPlugin {
    const plugin = this.findBySymbol(kind, symbol);
    if (!plugin) {
      const message = `${kind} ${symbol} is not provided by any portable plugin`;
      throw new HostError("PORTABLE_E_NOT_FOUND", message, { symbol });
    }
    return plugin;
  }

  /** All named configurations of source `symbol`, read from its file each time. */
  sourceConfigSet(symbol: string): Promise<ConfigSet> {
    return sourceConfigSet(this.#provider("source", symbol), symbol, this.etcDir);
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
    return symbolDescription(this.#provider(kind, symbol), kind, symbol, this.etcDir);
  }

  /**
   * Registers every plugin folder under `pluginsDir` (at start). A broken
   * folder is reported and skipped; the others load. Leftovers of an
   * interrupted change are cleaned up first.
   */
  async loadAll(): Promise<LoadReport> {
    const release = await this.#gate.exclusive();
    try {
      await mkdir(this.pluginsDir, { recursive: true });
      await recoverLeftovers(this.pluginsDir);
      const loaded: string[] = [];
      const failed: { name: string; error: HostError }[] = [];
      const runtimeErrors: { name: string; error: HostError }[] = [];
      const skipped: string[] = [];
      const entries = await readdir(this.pluginsDir, { withFileTypes: true });
      entries.sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of entries) {
        if (entry.name.startsWith(".")) continue;
        if (!entry.isDirectory()) {
          skipped.push(entry.name);
          continue;
        }
        if (this.#plugins.has(entry.name)) continue;
        let plugin: InstalledPlugin;
        try {
          checkPluginName(entry.name);
          plugin = await checkPackage(this.#dirOf(entry.name), entry.name, { etcDir: this.etcDir });
          this.#index.checkFree(plugin);
        } catch (err) {
          failed.push({
            name: entry.name,
            error: HostError.from(err, "PORTABLE_E_INSTALL", { plugin: entry.name }),
          });
          continue;
        }
        this.#add(plugin);
        loaded.push(plugin.name);
        try {
          await this.#runtime.pluginAdded?.(plugin, "load");
        } catch (err) {
          runtimeErrors.push({
            name: plugin.name,
            error: runtimeError(err, plugin.name, "could not start"),
          });
        }
      }
      return { loaded, failed, runtimeErrors, skipped };
    } finally {
      release();
    }
  }
}

function runtimeError(err: unknown, plugin: string, what: string): HostError {
  if (HostError.is(err)) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new HostError("PORTABLE_E_RUNTIME", `plugin ${plugin}: runtime ${what}: ${detail}`, {
    plugin,
    cause: err,
  });
}
