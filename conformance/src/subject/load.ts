// Turns what the user names on the command line into a Subject, the way a
// host installs a package: a zip, a plugin folder (with one `<name>.json`),
// a manifest file, or an executable next to its manifest. The package is
// installed into a private temporary plugins folder by the host's Registry,
// so it gets the host's checks (safe unzip, manifest validation, required
// files, executable bit) and the plugin runs in a copy: nothing it writes
// lands in the user's tree.

import { readdir, readFile, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { extractZip, HostError, Registry } from "@portable-plugins/host";
import type { JsonObject } from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import { makeTempDir, removeTempDir } from "../temp-dirs.js";
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

/** Finds the plugin name and where to install it from. */
async function locate(arg: string, work: string): Promise<{ name: string; from: string }> {
  const path = resolve(arg);
  const kind = await kindOf(path);
  if (kind === undefined) throw subjectError(`${arg}: no such file or folder`, arg);
  if (kind === "dir") return { name: onlyOne(await manifestsIn(path), arg), from: path };
  if (path.endsWith(".zip")) {
    const unpacked = join(work, "unpacked");
    try {
      await extractZip(path, unpacked);
    } catch (err) {
      throw subjectError(`${arg}: cannot unpack: ${(err as Error).message}`, arg, err);
    }
    return { name: onlyOne(await manifestsIn(unpacked), arg), from: path };
  }
  if (path.endsWith(".json")) return { name: basename(path, ".json"), from: dirname(path) };
  // An executable: the manifest beside it that names it.
  const dir = dirname(path);
  const found = await manifestsIn(dir);
  const matching = new Map([...found].filter(([, exe]) => resolve(dir, exe) === path));
  if (matching.size === 0) {
    throw subjectError(`${arg}: no manifest in ${dir} names this executable`, arg);
  }
  return { name: onlyOne(matching, arg), from: dir };
}

export async function loadSubject(arg: string): Promise<Subject> {
  const work = await makeTempDir("portable-conformance-");
  const dispose = () => removeTempDir(work);
  try {
    const { name, from } = await locate(arg, work);
    const registry = new Registry({ pluginsDir: join(work, "plugins") });
    let installed: Awaited<ReturnType<Registry["install"]>>;
    try {
      installed = await registry.install(name, from);
    } catch (err) {
      const detail = HostError.is(err) ? `${err.message} (${err.code})` : (err as Error).message;
      throw subjectError(`${arg}: not a valid plugin package: ${detail}`, arg, err);
    }
    const sourceDefaults: Record<string, JsonObject> = {};
    for (const source of installed.manifest.sources) {
      sourceDefaults[source] = (await registry.sourceConfig(source)).props;
    }
    return {
      name,
      label: arg,
      dir: installed.dir,
      manifest: installed.manifest,
      language: installed.language,
      executablePath: installed.executablePath,
      sourceDefaults,
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
