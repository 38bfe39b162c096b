// PortableHost: what an application embeds. It owns a Registry (installed
// plugins, their files and configurations) and a Supervisor (their
// processes), and hands out proxies for symbols: sources to read, sinks to
// write, functions to call. Processes start lazily on first use by default.
// A host holds a lock on its plugins folder (`lock()`, taken by `load()` and
// by its own install/update/uninstall) so a second host cannot share it.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  instanceKey,
  type JsonObject,
  type Meta,
  type PluginStatus,
  type SymbolKind,
} from "@portable-plugins/protocol";
import { HostError } from "./errors.js";
import { DataDirLock } from "./install/data-lock.js";
import type { InstalledPlugin } from "./install/plugin.js";
import {
  type ChangeOptions,
  type InstallOptions,
  type LoadReport,
  Registry,
  type RegistryOptions,
} from "./install/registry.js";
import type { PluginRuntimeInfo } from "./run/managed-plugin.js";
import { FunctionProxy } from "./run/proxies/function.js";
import { checkInstance, type InstanceMeta, type ProxyDeps } from "./run/proxies/instance.js";
import { type SinkOptions, SinkProxy } from "./run/proxies/sink.js";
import { type SourceOptions, SourceProxy } from "./run/proxies/source.js";
import { Supervisor } from "./run/supervisor.js";
import type { SupervisorOptions } from "./run/supervisor-options.js";
import { stoppedStatus } from "./runtime.js";
import { defaultStatePath, openStateStore, type StateOptions } from "./state/open.js";
import type { StateStore } from "./state/store.js";

export interface PortableHostOptions extends SupervisorOptions {
  /** Data folder: plugins in `<dataDir>/plugins/portable`, operator files in `etc`, logs in `logs`. */
  readonly dataDir?: string;
  /** Overrides `<dataDir>/plugins/portable`. One of `dataDir` and `pluginsDir` is required. */
  readonly pluginsDir?: string;
  readonly etcDir?: string;
  readonly logDir?: string;
  /**
   * Where version-2 plugins keep their state (PROTOCOL.md §13): SQLite (default) in
   * `stateDir`, or Redis at a URL for hosts that share state or fail over.
   */
  readonly state?: StateOptions;
  /** Folder of the SQLite state file: `<dataDir>/state`, or `<pluginsDir>/.state`. */
  readonly stateDir?: string;
  /** Further registry settings (limits, fetch, install.sh timeout). */
  readonly registry?: Omit<
    RegistryOptions,
    "pluginsDir" | "etcDir" | "logDir" | "runtime" | "onRemoved"
  >;
}

/** The folders `portable serve --data-dir D` uses. */
export function dataLayout(dataDir: string): {
  pluginsDir: string;
  etcDir: string;
  logDir: string;
  stateDir: string;
} {
  const root = resolve(dataDir);
  return {
    pluginsDir: join(root, "plugins", "portable"),
    etcDir: join(root, "etc"),
    logDir: join(root, "logs"),
    stateDir: join(root, "state"),
  };
}

type OpenProxy = { readonly closed: boolean; close(): Promise<void> };

export class PortableHost {
  readonly registry: Registry;
  readonly supervisor: Supervisor;
  readonly #keys = new Set<string>();
  readonly #open = new Set<OpenProxy>();
  readonly #lock: DataDirLock;
  readonly #stateOptions: StateOptions | undefined;
  readonly #stateDir: string;
  #state: Promise<StateStore> | undefined;
  #functionIds = 0;
  #closing: Promise<void> | undefined;

  constructor(options: PortableHostOptions) {
    const layout = options.dataDir === undefined ? undefined : dataLayout(options.dataDir);
    const pluginsDir = options.pluginsDir ?? layout?.pluginsDir;
    if (pluginsDir === undefined) {
      throw new HostError("PORTABLE_E_BAD_REQUEST", "PortableHost needs dataDir or pluginsDir");
    }
    this.supervisor = new Supervisor({ ...options, stateStore: () => this.state() });
    const etcDir = options.etcDir ?? layout?.etcDir;
    const logDir = options.logDir ?? layout?.logDir;
    this.registry = new Registry({
      ...options.registry,
      pluginsDir,
      ...(etcDir === undefined ? {} : { etcDir }),
      ...(logDir === undefined ? {} : { logDir }),
      runtime: this.supervisor,
      onRemoved: (name) => this.dropPluginState(name),
    });
    this.#lock = new DataDirLock(this.registry.pluginsDir);
    this.#stateOptions = options.state;
    this.#stateDir = options.stateDir ?? layout?.stateDir ?? join(pluginsDir, ".state");
  }

  /**
   * The state store (PROTOCOL.md §13), opened on first use: the backend the
   * `state` option names. A failed open is not remembered: the next call tries again.
   */
  state(): Promise<StateStore> {
    if (this.#closing)
      return Promise.reject(new HostError("PORTABLE_E_CLOSED", "the host is closed"));
    if (this.#state === undefined) {
      const opening = openStateStore(this.#stateOptions, this.#stateDir);
      this.#state = opening;
      opening.catch(() => {
        if (this.#state === opening) this.#state = undefined;
      });
    }
    return this.#state;
  }

  /**
   * Drops the state of every instance of `rule`, of every plugin: for an engine
   * that removed the rule for good (all its instances stopped). The keys removed.
   */
  async dropRuleState(rule: string): Promise<number> {
    return (await this.state()).dropRule(rule);
  }

  /**
   * Takes the lock of the plugins folder (`<pluginsDir>/.host.lock`, holding
   * this pid): throws PORTABLE_E_LOCKED while another live host holds it; a
   * lock left by a dead process is taken over. Released by close().
   * Idempotent. Anyone using `registry` directly calls this first.
   */
  async lock(): Promise<void> {
    if (this.#closing) throw new HostError("PORTABLE_E_CLOSED", "the host is closed");
    await this.#lock.acquire();
  }

  /** Registers every plugin folder found (auto-load, §6.6). In eager mode their processes start. */
  async load(): Promise<LoadReport> {
    await this.lock();
    return this.registry.loadAll();
  }

  async install(name: string, from: string, opts?: InstallOptions): Promise<InstalledPlugin> {
    await this.lock();
    return this.registry.install(name, from, opts);
  }

  async update(name: string, from: string, opts?: InstallOptions): Promise<InstalledPlugin> {
    await this.lock();
    return this.registry.update(name, from, opts);
  }

  /**
   * Stops the plugin's process and removes it, then its state (§13); refused while
   * proxies of it are open. A state backend that fails then is a PORTABLE_E_STATE
   * naming the plugin: the plugin is gone, its state is left; uninstalling again drops it.
   */
  async uninstall(name: string, opts?: ChangeOptions): Promise<void> {
    await this.lock();
    return this.registry.uninstall(name, opts);
  }

  /** Drops every instance's state of `plugin` (done by uninstall); the keys removed. */
  async dropPluginState(plugin: string): Promise<number> {
    // No SQLite file yet: no state to drop, and no file created for nothing.
    if (this.#state === undefined && this.#stateOptions?.backend !== "redis") {
      const path = this.#stateOptions?.path ?? defaultStatePath(this.#stateDir);
      if (!existsSync(path)) return 0;
    }
    try {
      return await (await this.state()).dropPlugin(plugin);
    } catch (cause) {
      if (HostError.is(cause) && cause.code !== "PORTABLE_E_STATE") throw cause;
      throw new HostError(
        "PORTABLE_E_STATE",
        `plugin ${plugin} is uninstalled but its state could not be dropped: ${(cause as Error).message}`,
        { ...(HostError.is(cause) ? cause.context : { cause }), plugin },
      );
    }
  }

  /** The status document (§7.2); `stop` for an installed plugin that never ran; undefined if unknown. */
  status(name: string): PluginStatus | undefined {
    return this.supervisor.status(name) ?? (this.registry.find(name) ? stoppedStatus() : undefined);
  }

  /** Phase, pid, restart count and handshake time of a plugin's process. */
  info(name: string): PluginRuntimeInfo | undefined {
    return this.supervisor.info(name);
  }

  #provider(kind: SymbolKind, symbol: string): InstalledPlugin {
    if (this.#closing) throw new HostError("PORTABLE_E_CLOSED", "the host is closed", { symbol });
    const plugin = this.registry.findBySymbol(kind, symbol);
    if (!plugin) {
      throw new HostError(
        "PORTABLE_E_NOT_FOUND",
        `${kind} ${symbol} is not provided by any portable plugin`,
        {
          symbol,
        },
      );
    }
    return plugin;
  }

  #claim(
    kind: Exclude<SymbolKind, "function">,
    symbol: string,
    m: InstanceMeta,
  ): { deps: ProxyDeps; meta: Meta } {
    const plugin = this.#provider(kind, symbol);
    const o = this.supervisor.options;
    const meta = checkInstance(kind, symbol, m, o.socketDir);
    const key = instanceKey(meta);
    if (this.#keys.has(key)) {
      throw new HostError(
        "PORTABLE_E_CONFLICT",
        `${kind} ${symbol}: instance ${key} is already open (its socket files are in use)`,
        { plugin: plugin.name, symbol },
      );
    }
    this.#keys.add(key);
    const deps: ProxyDeps = {
      plugin: this.supervisor.managed(plugin),
      socketDir: o.socketDir,
      timeouts: o.timeouts,
      logger: o.logger,
      release: () => this.#keys.delete(key),
    };
    return { deps, meta };
  }

  /**
   * The socket folder, created (0700) if missing: a source or sink listens
   * before the plugin's process (which would create it) has started.
   */
  async #socketDir(): Promise<void> {
    const dir = this.supervisor.options.socketDir;
    try {
      await mkdir(dir, { recursive: true, mode: 0o700 });
    } catch (cause) {
      throw new HostError(
        "PORTABLE_E_CHANNEL",
        `cannot create the socket folder ${dir}: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  /** Remembers `proxy` for close(); forgets the ones already closed. */
  #track<T extends OpenProxy>(proxy: T): T {
    for (const p of this.#open) if (p.closed) this.#open.delete(p);
    this.#open.add(proxy);
    return proxy;
  }

  /**
   * Starts source `symbol` for one rule instance. Its configuration is the
   * `confKey` section of `sources/<symbol>.yaml` (default `default`) with
   * `config` laid over it; the data source also goes into `config.datasource`.
   */
  async source(symbol: string, meta: InstanceMeta, opts: SourceOptions = {}): Promise<SourceProxy> {
    const { deps, meta: checked } = this.#claim("source", symbol, meta);
    let config: JsonObject;
    try {
      await this.#socketDir();
      const base = await this.registry.sourceConfig(symbol, opts.confKey);
      config = { ...base.props, ...opts.config };
      // The Python SDK (and eKuiper 2.x plugins) read it only there (§4.3).
      if (opts.dataSource && !("datasource" in config)) config["datasource"] = opts.dataSource;
    } catch (err) {
      deps.release();
      throw err;
    }
    return this.#track(await SourceProxy.open(deps, symbol, checked, config, opts));
  }

  /** Starts sink `symbol` for one rule instance with the action's properties (`requireAck`, ...). */
  async sink(
    symbol: string,
    meta: InstanceMeta,
    config: JsonObject = {},
    options: SinkOptions = {},
  ): Promise<SinkProxy> {
    const { deps, meta: checked } = this.#claim("sink", symbol, meta);
    try {
      await this.#socketDir();
    } catch (err) {
      deps.release();
      throw err;
    }
    return this.#track(await SinkProxy.open(deps, symbol, checked, config, options));
  }

  /** A proxy for function `symbol`; the first one starts the function in its plugin. */
  async function(symbol: string): Promise<FunctionProxy> {
    const plugin = this.#provider("function", symbol);
    const mp = this.supervisor.managed(plugin);
    return this.#track(
      await FunctionProxy.open(mp, symbol, `function:${symbol}:${++this.#functionIds}`),
    );
  }

  /**
   * Cancels changes in progress (downloads aborted, install.sh killed),
   * closes every open proxy (stopping its instance), then stops every plugin
   * process, closes every listener and releases the folder lock. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.registry.close();
      const open = [...this.#open].filter((p) => !p.closed);
      this.#open.clear();
      await Promise.all(open.map((p) => p.close().catch(() => undefined)));
      await this.supervisor.close();
      const state = this.#state;
      this.#state = undefined;
      await state?.then((s) => s.close()).catch(() => undefined);
      await this.#lock.release();
    })();
    return this.#closing;
  }
}
