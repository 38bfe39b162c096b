// The contract between the registry (files) and the runtime (processes): the
// supervisor implements PluginRuntime; the registry calls it at each change
// of the installed set, and the REST server asks it for status documents.

import type { PluginStatus } from "@portable-plugins/protocol";
import type { InstalledPlugin } from "./install/plugin.js";

export interface PluginRuntime {
  /**
   * A plugin's files are in place: after `install` (reason "install") or found
   * by `loadAll` at start ("load"). The reference starts the process here.
   * Throwing on "install" rolls the install back; on "load" the error is
   * reported in the LoadReport and the plugin stays registered.
   */
  pluginAdded?(plugin: InstalledPlugin, reason: "install" | "load"): void | Promise<void>;
  /**
   * `update` swapped in new files: restart the process from `plugin.dir` and
   * replay the running symbols. The previous files are kept until this
   * returns; throwing swaps them back (and calls this again with the roles
   * reversed) and fails the update.
   */
  pluginUpdated?(plugin: InstalledPlugin, previous: InstalledPlugin): void | Promise<void>;
  /**
   * `uninstall` is about to remove the files: stop the process first.
   * Throwing aborts the uninstall and leaves everything in place.
   */
  pluginRemoving?(plugin: InstalledPlugin): void | Promise<void>;
  /** The status document of a plugin's process, or undefined when none is known. */
  status?(name: string): PluginStatus | undefined;
}

/** The status served for an installed plugin no runtime reports on: no process. */
export function stoppedStatus(): PluginStatus {
  return { refCount: {}, status: "stop", errMsg: "" };
}
