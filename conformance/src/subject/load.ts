// Turns what the user names on the command line into a Subject, the way a
// host installs a package: a zip, a plugin folder (with one `<name>.json`),
// a manifest file, or an executable next to its manifest. The package is
// unpacked (or copied) into a private temporary plugins folder and checked by
// the package format module the host's installer uses (safe unzip, manifest
// validation, required files, executable bit, install.sh), so the plugin
// runs in a copy: nothing it writes lands in the user's tree.

import { mkdir, readdir, readFile, rename, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import {
  checkPackage,
  copyFolder,
  DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS,
  DEFAULT_LIMITS,
  extractZip,
  INSTALL_SCRIPT,
  PackageError,
  type PluginPackage,
  type PluginSchemas,
  pluginNameProblem,
  readConfigSet,
  resolveConfig,
  runInstallScript,
  symbolFile,
} from "@portable-plugins/package";
import type { JsonObject } from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import { makeTempDir, removeTempDir } from "../temp-dirs.js";

const NO_SCHEMAS: PluginSchemas = { functions: new Map(), sources: new Map(), sinks: new Map() };

import type { Subject } from "./types.js";

async function kindOf(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? "dir" : s.isFile() ? "file" : undefined;
  } catch {
    return undefined;
  }
}

/** Top-level `*.json` files of `dir` that look like manifests: name → executable. */
async function manifestsIn(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const f of (await readdir(dir)).filter((n) => n.endsWith(".json")).sort()) {
    try {
      const m = JSON.parse(await readFile(join(dir, f), "utf8")) as Record<string, unknown>;
      if (typeof m["executable"] === "string" && typeof m["language"] === "string") {
        found.set(f.slice(0, -".json".length), m["executable"]);
      }
    } catch {
      // not a manifest
    }
  }
  return found;
}

function subjectError(message: string, path: string, cause?: unknown): ConformanceError {
  return new ConformanceError("PORTABLE_E_CONF_SUBJECT", message, { path, cause });
}

function onlyOne(found: Map<string, string>, where: string): string {
  const names = [...found.keys()];
  if (names.length === 1) return names[0] as string;
  if (names.length === 0) throw subjectError(`${where}: no manifest <name>.json found`, where);
  throw subjectError(
    `${where}: several manifests (${names.map((n) => `${n}.json`).join(", ")}); name one of them instead of the folder`,
    where,
  );
}

interface Located {
  readonly name: string;
  /** The folder to copy the package from, or the folder a zip was unpacked into. */
  readonly from: string;
  readonly unpacked: boolean;
}

/** Finds the plugin name and where to install it from (a zip is unpacked into `work`). */
async function locate(arg: string, work: string): Promise<Located> {
  const path = resolve(arg);
  const kind = await kindOf(path);
  if (kind === undefined) throw subjectError(`${arg}: no such file or folder`, arg);
  if (kind === "dir") {
    return { name: onlyOne(await manifestsIn(path), arg), from: path, unpacked: false };
  }
  if (path.endsWith(".zip")) {
    const unpacked = join(work, "unpacked");
    try {
      await mkdir(unpacked);
      await extractZip(path, unpacked, DEFAULT_LIMITS);
    } catch (err) {
      throw subjectError(`${arg}: cannot unpack: ${(err as Error).message}`, arg, err);
    }
    return { name: onlyOne(await manifestsIn(unpacked), arg), from: unpacked, unpacked: true };
  }
  if (path.endsWith(".json")) {
    return { name: basename(path, ".json"), from: dirname(path), unpacked: false };
  }
  // An executable: the manifest beside it that names it.
  const dir = dirname(path);
  const found = await manifestsIn(dir);
  const matching = new Map([...found].filter(([, exe]) => resolve(dir, exe) === path));
  if (matching.size === 0) {
    throw subjectError(`${arg}: no manifest in ${dir} names this executable`, arg);
  }
  return { name: onlyOne(matching, arg), from: dir, unpacked: false };
}

/** What a host's install does: name check, copy, package checks, install.sh. */
async function install(located: Located, pluginsDir: string): Promise<PluginPackage> {
  const { name, from } = located;
  const problem = pluginNameProblem(name);
  if (problem !== undefined) throw new PackageError("PORTABLE_E_NAME", problem, { plugin: name });
  const dir = join(pluginsDir, name);
  await mkdir(pluginsDir, { recursive: true });
  if (located.unpacked) {
    await rename(from, dir);
  } else {
    await mkdir(dir);
    await copyFolder(from, dir, DEFAULT_LIMITS);
  }
  const plugin = await checkPackage(dir, name);
  const script = await stat(join(dir, INSTALL_SCRIPT)).catch(() => undefined);
  if (script?.isFile()) {
    await runInstallScript(dir, { plugin: name, timeoutMs: DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS });
  }
  return plugin;
}

/** The `default` configuration of each source (what a rule without CONF_KEY gets). */
async function sourceDefaults(plugin: PluginPackage): Promise<Record<string, JsonObject>> {
  const out: Record<string, JsonObject> = {};
  for (const source of plugin.manifest.sources) {
    const path = await symbolFile(plugin.dir, "source", source, "yaml");
    // checkPackage made sure the file is there.
    out[source] = path === undefined ? {} : resolveConfig(await readConfigSet(path)).props;
  }
  return out;
}

export async function loadSubject(arg: string): Promise<Subject> {
  const work = await makeTempDir("portable-conformance-");
  const dispose = () => removeTempDir(work);
  try {
    const located = await locate(arg, work);
    let installed: PluginPackage;
    let defaults: Record<string, JsonObject>;
    try {
      installed = await install(located, join(work, "plugins"));
      defaults = await sourceDefaults(installed);
    } catch (err) {
      const detail = PackageError.is(err) ? `${err.message} (${err.code})` : (err as Error).message;
      throw subjectError(`${arg}: not a valid plugin package: ${detail}`, arg, err);
    }
    return {
      name: located.name,
      label: arg,
      dir: installed.dir,
      manifest: installed.manifest,
      language: installed.language,
      executablePath: installed.executablePath,
      sourceDefaults: defaults,
      schemas: installed.schemas ?? NO_SCHEMAS,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
