// Install and update of one plugin (see registry.ts): fetch the package
// outside any lock, then under the plugin's lock stage it (unpack, checks,
// install.sh), claim its symbols, move it in with a rename and tell the
// runtime. An update keeps the old folder aside until the runtime restarted
// the process with the new one, and puts it back if that fails.

import { mkdir, rm, stat } from "node:fs/promises";
import { HostError } from "../errors.js";
import { checkPluginName } from "../names.js";
import { relocate } from "./package-format.js";
import type { InstalledPlugin } from "./plugin.js";
import {
  type ChangeGuard,
  fetchCancellable,
  type InstallOptions,
  stageCancellable,
} from "./registry-changes.js";
import { type RegistryState, runtimeError } from "./registry-state.js";
import {
  moveIfPresent,
  OLD_PREFIX,
  type Staged,
  sidePath,
  stagePackage,
  TRASH_PREFIX,
} from "./staging.js";

/** Installs plugin `name` from a zip path, folder, file:// or http(s):// URL. */
export function installPlugin(
  s: RegistryState,
  guard: ChangeGuard,
  name: string,
  from: string,
  opts: InstallOptions,
): Promise<InstalledPlugin> {
  const target = s.dirOf(name);
  const conflict = async () => {
    const onDisk = await stat(target).then(
      () => true,
      () => false,
    );
    if (s.plugins.has(name) || onDisk) {
      throw new HostError("PORTABLE_E_CONFLICT", `portable plugin ${name} already exists`, {
        plugin: name,
      });
    }
  };
  return fetchStageCommit(s, guard, name, from, opts, {
    what: "install",
    prepare: async () => {
      checkPluginName(name);
      await conflict();
      await mkdir(s.pluginsDir, { recursive: true });
    },
    recheck: conflict,
    commit: (staged) => commitInstall(s, name, target, staged),
  });
}

/** What install and update do differently around the path they share (fetchStageCommit). */
interface Change {
  readonly what: "install" | "update";
  /** Checks (and set-up) before the fetch, outside the plugin's lock. */
  readonly prepare: () => Promise<void> | void;
  /** Checks again under the lock: the registry may have changed during the fetch. */
  readonly recheck: () => Promise<void> | void;
  /** The plugin whose symbols the new package may take over (an update's own). */
  readonly replacing?: string;
  readonly commit: (staged: Staged) => Promise<InstalledPlugin>;
}

/**
 * The path install and update share: fetch the package outside any lock, then under the
 * plugin's lock check again, stage it and commit; the fetched source is always cleaned up.
 */
function fetchStageCommit(
  s: RegistryState,
  guard: ChangeGuard,
  name: string,
  from: string,
  opts: InstallOptions,
  change: Change,
): Promise<InstalledPlugin> {
  const { what } = change;
  return guard.change(what, name, opts.signal, async (signal) => {
    await change.prepare();
    const stage = {
      ...s.stage,
      accept: (candidate: InstalledPlugin) => s.index.checkFree(candidate, change.replacing),
    };
    const source = await fetchCancellable(from, stage, signal, what, name);
    try {
      return await guard.locked(name, what, signal, async () => {
        await change.recheck();
        const staged = await stageCancellable(signal, what, name, () =>
          stagePackage(name, source, stage, opts.shellParas, signal),
        );
        return change.commit(staged);
      });
    } finally {
      await source.cleanup();
    }
  });
}

async function commitInstall(
  s: RegistryState,
  name: string,
  target: string,
  staged: Staged,
): Promise<InstalledPlugin> {
  // Symbols are claimed synchronously: another plugin may have committed since staging.
  try {
    s.index.checkFree(staged.plugin);
  } catch (err) {
    await staged.discard();
    throw err;
  }
  s.index.add(staged.plugin);
  try {
    await moveIfPresent(staged.plugin.dir, target);
  } catch (err) {
    s.index.remove(staged.plugin);
    await staged.discard();
    throw HostError.from(err, "PORTABLE_E_INSTALL", { plugin: name, path: target });
  }
  const plugin = relocate(staged.plugin, target);
  s.plugins.set(name, plugin);
  try {
    await s.runtime.pluginAdded?.(plugin, "install");
  } catch (err) {
    s.remove(plugin);
    await rm(target, { recursive: true, force: true });
    throw runtimeError(err, name, "could not start");
  }
  return plugin;
}

/**
 * Replaces plugin `name`'s files with a new package. The old folder stays
 * until the new one is checked and the runtime restarted the process.
 */
export function updatePlugin(
  s: RegistryState,
  guard: ChangeGuard,
  name: string,
  from: string,
  opts: InstallOptions,
): Promise<InstalledPlugin> {
  const exists = () => void s.require(name);
  return fetchStageCommit(s, guard, name, from, opts, {
    what: "update",
    prepare: exists,
    recheck: exists,
    replacing: name,
    commit: (staged) => commitUpdate(s, name, staged),
  });
}

async function commitUpdate(
  s: RegistryState,
  name: string,
  staged: Staged,
): Promise<InstalledPlugin> {
  const previous = s.require(name);
  const target = s.dirOf(name);
  s.index.remove(previous);
  try {
    s.index.checkFree(staged.plugin);
  } catch (err) {
    s.index.add(previous);
    await staged.discard();
    throw err;
  }
  s.index.add(staged.plugin);
  const old = sidePath(s.pluginsDir, OLD_PREFIX, name);
  try {
    await moveIfPresent(target, old);
    await moveIfPresent(staged.plugin.dir, target);
  } catch (err) {
    await moveIfPresent(old, target).catch(() => undefined);
    s.index.remove(staged.plugin);
    s.index.add(previous);
    await staged.discard();
    throw HostError.from(err, "PORTABLE_E_INSTALL", { plugin: name, path: target });
  }
  const plugin = relocate(staged.plugin, target);
  s.plugins.set(name, plugin);
  try {
    await s.runtime.pluginUpdated?.(plugin, previous);
  } catch (err) {
    // Put the previous version back, and have the runtime run it again.
    const failed = sidePath(s.pluginsDir, TRASH_PREFIX, name);
    await moveIfPresent(target, failed);
    await moveIfPresent(old, target);
    s.remove(plugin);
    s.add(previous);
    await rm(failed, { recursive: true, force: true });
    await Promise.resolve(s.runtime.pluginUpdated?.(previous, plugin)).catch(() => undefined);
    throw runtimeError(err, name, "could not restart with the new version");
  }
  await rm(old, { recursive: true, force: true });
  return plugin;
}
