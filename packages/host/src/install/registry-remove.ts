// Uninstall of one plugin (see registry.ts): under the plugin's lock the
// runtime stops it (and may refuse while it is in use), then its folder is
// moved aside with a rename and deleted; then `onRemoved` (the host drops the
// plugin's state there).

import { rm } from "node:fs/promises";
import { HostError } from "../errors.js";
import type { ChangeGuard, ChangeOptions } from "./registry-changes.js";
import { type RegistryState, runtimeError } from "./registry-state.js";
import { moveIfPresent, sidePath, TRASH_PREFIX } from "./staging.js";

/** Stops the plugin (through the runtime), then removes its files. */
export function uninstallPlugin(
  s: RegistryState,
  guard: ChangeGuard,
  name: string,
  opts: ChangeOptions,
): Promise<void> {
  return guard.change("uninstall", name, opts.signal, async (signal) => {
    s.require(name);
    await guard.locked(name, "uninstall", signal, async () => {
      const plugin = s.require(name);
      try {
        await s.runtime.pluginRemoving?.(plugin);
      } catch (err) {
        throw runtimeError(err, name, "could not stop");
      }
      const trash = sidePath(s.pluginsDir, TRASH_PREFIX, name);
      try {
        await moveIfPresent(plugin.dir, trash);
      } catch (err) {
        throw HostError.from(err, "PORTABLE_E_INSTALL", { plugin: name, path: plugin.dir });
      }
      s.remove(plugin);
      await rm(trash, { recursive: true, force: true });
      await s.onRemoved?.(name);
    });
  });
}
