// Builds a candidate plugin folder beside the installed ones: unpack or copy a
// package (fetched first by `fetchPackage`, outside any lock), check it, run
// install.sh. Only a fully checked folder leaves this module; on any failure
// the staging folder is gone (the caller cleans up the download).

import { randomBytes } from "node:crypto";
import { mkdtemp, readdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { type DownloadOptions, openPackageSource, type PackageSource } from "./download.js";
import {
  checkPackage,
  copyFolder,
  type ExtractLimits,
  extractZip,
  INSTALL_SCRIPT,
  runInstallScript,
} from "./package-format.js";
import type { InstalledPlugin } from "./plugin.js";

/** Prefixes of the registry's own entries in the plugins folder (never plugins). */
export const STAGING_PREFIX = ".staging-";
export const OLD_PREFIX = ".old-";
export const TRASH_PREFIX = ".trash-";
export const DOWNLOAD_PREFIX = ".download-";

export interface StageOptions {
  readonly pluginsDir: string;
  readonly etcDir: string | undefined;
  readonly logDir: string | undefined;
  readonly limits: ExtractLimits;
  readonly download: Omit<DownloadOptions, "tmpDir">;
  readonly installScriptTimeoutMs: number;
  /** Called with the checked candidate before install.sh runs (symbol clash checks). */
  readonly accept: (candidate: InstalledPlugin) => void;
}

export interface Staged {
  readonly plugin: InstalledPlugin;
  /** Removes the staged folder (when it was not moved into place). */
  discard(): Promise<void>;
}

const suffix = () => randomBytes(6).toString("hex");

/** A fresh name beside the plugins, e.g. `.old-<name>-<random>`. */
export function sidePath(pluginsDir: string, prefix: string, name: string): string {
  return join(pluginsDir, `${prefix}${name}-${suffix()}`);
}

/** Resolves `from` to a local zip or folder, downloading a URL beside the plugins. */
export function fetchPackage(
  from: string,
  opts: StageOptions,
  signal?: AbortSignal,
): Promise<PackageSource> {
  return openPackageSource(from, { ...opts.download, tmpDir: opts.pluginsDir, signal });
}

/** Unpacks (or copies) `source`, checks it and runs its install.sh; `source` stays the caller's. */
export async function stagePackage(
  name: string,
  source: PackageSource,
  opts: StageOptions,
  shellParas?: readonly string[],
  signal?: AbortSignal,
): Promise<Staged> {
  const dir = await mkdtemp(join(opts.pluginsDir, `${STAGING_PREFIX}${name}-`));
  const discard = () => rm(dir, { recursive: true, force: true });
  try {
    if (source.kind === "zip") await extractZip(source.path, dir, opts.limits);
    else await copyFolder(source.path, dir, opts.limits);
    const plugin = await checkPackage(dir, name, { etcDir: opts.etcDir });
    opts.accept(plugin);
    const script = await stat(join(dir, INSTALL_SCRIPT)).catch(() => undefined);
    if (script?.isFile()) {
      const log = opts.logDir ? join(opts.logDir, `${name}.install.log`) : undefined;
      await runInstallScript(dir, {
        plugin: name,
        timeoutMs: opts.installScriptTimeoutMs,
        args: shellParas,
        logFile: log,
        signal,
      });
    }
    return { plugin, discard };
  } catch (err) {
    await discard();
    throw err;
  }
}

/** `rename` that tolerates a missing source (used when undoing). */
export async function moveIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
  }
}

/**
 * Finishes or undoes changes a crash interrupted: an update that moved the
 * old folder aside but never moved the new one in gets the old one back;
 * staging, trash and download leftovers are removed.
 */
export async function recoverLeftovers(pluginsDir: string): Promise<void> {
  for (const entry of await readdir(pluginsDir)) {
    const path = join(pluginsDir, entry);
    if (entry.startsWith(OLD_PREFIX)) {
      const name = entry.slice(OLD_PREFIX.length).replace(/-[0-9a-f]{12}$/, "");
      const target = join(pluginsDir, name);
      const hasTarget = await stat(target).then(
        () => true,
        () => false,
      );
      if (hasTarget) await rm(path, { recursive: true, force: true });
      else await moveIfPresent(path, target);
    } else if ([STAGING_PREFIX, TRASH_PREFIX, DOWNLOAD_PREFIX].some((p) => entry.startsWith(p))) {
      await rm(path, { recursive: true, force: true });
    }
  }
}
