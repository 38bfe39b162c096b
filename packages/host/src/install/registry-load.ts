// Loading the plugins folder at start (see registry.ts): the folder IS the
// state, so every plugin folder under it is checked and registered, and the
// runtime told. A broken folder is reported and skipped; the others load.
// Leftovers of an interrupted change are cleaned up first.

import { mkdir, readdir } from "node:fs/promises";
import { HostError } from "../errors.js";
import { checkPluginName } from "../names.js";
import { checkPackage } from "./package-format.js";
import type { InstalledPlugin } from "./plugin.js";
import type { ChangeGuard } from "./registry-changes.js";
import { type RegistryState, runtimeError } from "./registry-state.js";
import { recoverLeftovers } from "./staging.js";

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

/** Registers every plugin folder under `pluginsDir`, with no change running beside it. */
export function loadAll(s: RegistryState, guard: ChangeGuard): Promise<LoadReport> {
  return guard.exclusive(async () => {
    await mkdir(s.pluginsDir, { recursive: true });
    await recoverLeftovers(s.pluginsDir);
    const loaded: string[] = [];
    const failed: { name: string; error: HostError }[] = [];
    const runtimeErrors: { name: string; error: HostError }[] = [];
    const skipped: string[] = [];
    const entries = await readdir(s.pluginsDir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      if (!entry.isDirectory()) {
        skipped.push(entry.name);
        continue;
      }
      if (s.plugins.has(entry.name)) continue;
      let plugin: InstalledPlugin;
      try {
        checkPluginName(entry.name);
        plugin = await checkPackage(s.dirOf(entry.name), entry.name, { etcDir: s.etcDir });
        s.index.checkFree(plugin);
      } catch (err) {
        failed.push({
          name: entry.name,
          error: HostError.from(err, "PORTABLE_E_INSTALL", { plugin: entry.name }),
        });
        continue;
      }
      s.add(plugin);
      loaded.push(plugin.name);
      try {
        await s.runtime.pluginAdded?.(plugin, "load");
      } catch (err) {
        runtimeErrors.push({
          name: plugin.name,
          error: runtimeError(err, plugin.name, "could not start"),
        });
      }
    }
    return { loaded, failed, runtimeErrors, skipped };
  });
}
