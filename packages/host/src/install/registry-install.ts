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
  return guard.change("install", name, opts.signal, async (signal) => {
    checkPluginName(name);
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
    await conflict();
    await mkdir(s.pluginsDir, { recursive: true });
    const stage = {
      ...s.stage,
      accept: (candidate: InstalledPlugin) => s.index.checkFree(candidate),
    };
    const source = await fetchCancellable(from, stage, signal, "install", name);
    try {
      return await guard.locked(name, "install", signal, async () => {
        await conflict();
        const staged = await stageCancellable(signal, "install", name, () =>
          stagePackage(name, source, stage, opts.shellParas, signal),
        );
        return commitInstall(s, name, target, staged);
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
  return guard.change("update", name, opts.signal, async (signal) => {
    s.require(name);
    const stage = {
      ...s.stage,
      accept: (candidate: InstalledPlugin) => s.index.checkFree(candidate, name),
    };
    const source = await fetchCancellable(from, stage, signal, "update", name);
    try {
      return await guard.locked(name, "update", signal, async () => {
        s.require(name);
        const staged = await stageCancellable(signal, "update", name, () =>
          stagePackage(name, source, stage, opts.shellParas, signal),
        );
        return commitUpdate(s, name, staged);
      });
    } finally {
      await source.cleanup();
    }
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
