// The supervisor: one ManagedPlugin per installed plugin, driven by the
// registry through PluginRuntime (install, load, update, uninstall, status)
// and by the proxies (which start symbols). `close()` stops every process and
// closes every listener, so nothing is left running and no socket file the
// host created remains.

import type { PluginStatus } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { InstalledPlugin } from "../install/plugin.js";
import type { PluginRuntime } from "../runtime.js";
import { ChannelRefusals } from "./channel-refusals.js";
import { ManagedPlugin, type PluginRuntimeInfo } from "./managed-plugin.js";
import {
  type ResolvedSupervisorOptions,
  resolveSupervisorOptions,
  type SupervisorOptions,
} from "./supervisor-options.js";

export class Supervisor implements PluginRuntime {
  readonly options: ResolvedSupervisorOptions;
  readonly #plugins = new Map<string, ManagedPlugin>();
  /** Connections refused on any plugin's control channel (for "calls itself by another name"). */
  readonly #refusals = new ChannelRefusals();
  #closing: Promise<void> | undefined;

  constructor(options: SupervisorOptions = {}) {
    this.options = resolveSupervisorOptions(options);
  }

  /** The managed plugin for `plugin`, created (idle) on first sight. */
  managed(plugin: InstalledPlugin): ManagedPlugin {
    if (this.#closing) {
      throw new HostError("PORTABLE_E_CLOSED", "the host is closed", { plugin: plugin.name });
    }
    let mp = this.#plugins.get(plugin.name);
    if (!mp) {
      mp = new ManagedPlugin(plugin, this.options, this.#refusals);
      this.#plugins.set(plugin.name, mp);
    }
    return mp;
  }

  // ---- PluginRuntime ---------------------------------------------------------------------------

  /**
   * Lazy mode: remembers the plugin. Eager mode: also starts its process in
   * the background; a failed start shows in the status and the log, and does
   * not undo the install.
   */
  pluginAdded(plugin: InstalledPlugin): void {
    const mp = this.managed(plugin);
    if (this.options.start === "eager") mp.ensureRunning().catch(() => undefined);
  }

  /** Restarts from the new files and replays every running symbol (§7.1 PUT). */
  async pluginUpdated(plugin: InstalledPlugin): Promise<void> {
    await this.managed(plugin).replace(plugin, this.options.start === "eager");
  }

  /** Refuses while proxies use the plugin (§7.1 DELETE answers 400); stops the process first. */
  async pluginRemoving(plugin: InstalledPlugin): Promise<void> {
    const mp = this.#plugins.get(plugin.name);
    if (!mp) return;
    const { refCount } = mp.status();
    if (mp.inUse) {
      const rules = Object.keys(refCount);
      throw new HostError(
        "PORTABLE_E_CONFLICT",
        `plugin ${plugin.name} is in use${rules.length ? ` by rule(s) ${rules.join(", ")}` : " by open function proxies"}; close them first`,
        { plugin: plugin.name },
      );
    }
    await mp.stop();
    this.#plugins.delete(plugin.name);
  }

  status(name: string): PluginStatus | undefined {
    return this.#plugins.get(name)?.status();
  }

  // ---- beyond PluginRuntime --------------------------------------------------------------------

  /** Phase, pid, restart count and handshake time of a plugin's process. */
  info(name: string): PluginRuntimeInfo | undefined {
    return this.#plugins.get(name)?.info();
  }

  /** Stops every plugin process and closes every listener. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#plugins.values()].map((mp) => mp.stop()));
      this.#plugins.clear();
    })();
    return this.#closing;
  }
}
