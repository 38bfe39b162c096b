// What a plugin folder must contain, checked the same way for a staged
// install, for a folder a host finds at start and for a conformance subject:
// a valid manifest `<name>.json`, the executable inside the folder, a
// configuration for every source, and well-formed descriptions with
// well-formed schemas (§6.4).

import { chmod, realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { PackageError } from "./errors.js";
import { checkManifest, manifestError, type PluginPackage, readManifest } from "./manifest.js";
import { collectSchemas } from "./read-schemas.js";
import { readConfigSet } from "./symbol-config.js";
import { inPlugin, type PackageCheckOptions, shown, symbolFile } from "./symbol-files.js";
import { safeEntrySegments } from "./unzip.js";

async function checkExecutable(dir: string, name: string, executable: string): Promise<string> {
  const segments = safeEntrySegments(executable);
  if (typeof segments === "string") {
    throw manifestError(
      name,
      `executable ${JSON.stringify(executable)}: ${segments}`,
      "executable",
    );
  }
  const missing = () =>
    new PackageError(
      "PORTABLE_E_MISSING_FILE",
      `plugin ${name}: executable ${executable} named by the manifest is not in the package`,
      { plugin: name, path: executable },
    );
  const path = resolve(dir, ...segments);
  let real: string;
  try {
    real = await realpath(path);
  } catch {
    throw missing();
  }
  const root = await realpath(dir);
  if (!real.startsWith(root + sep)) {
    throw manifestError(
      name,
      `executable ${executable} resolves outside the package`,
      "executable",
    );
  }
  const info = await stat(real);
  if (!info.isFile()) throw missing();
  // A zip does not keep the executable bit reliably (PROTOCOL.md §6.2): restore it.
  if ((info.mode & 0o111) !== 0o111) await chmod(real, (info.mode & 0o777) | 0o111);
  return path;
}

/** Checks the folder `dir` as plugin `name`; returns what a host records and launches. */
export async function checkPackage(
  dir: string,
  name: string,
  opts: PackageCheckOptions = {},
): Promise<PluginPackage> {
  const manifest = await readManifest(dir, name);
  checkManifest(manifest, name);
  const executablePath = await checkExecutable(dir, name, manifest.executable);
  for (const source of manifest.sources) {
    const config = await symbolFile(dir, "source", source, "yaml", opts);
    if (!config) {
      throw new PackageError(
        "PORTABLE_E_MISSING_FILE",
        `plugin ${name}: missing sources/${source}.yaml, required for source ${source}`,
        { plugin: name, symbol: source, path: `sources/${source}.yaml` },
      );
    }
    await readConfigSet(config, shown(dir, config)).catch((err: unknown) => {
      throw inPlugin(err, name, source);
    });
  }
  const schemas = await collectSchemas(dir, name, manifest, opts);
  return {
    name,
    dir,
    manifest: { ...manifest, name },
    language: manifest.language,
    executablePath,
    schemas,
  };
}

/** The same record for the folder after it moved to `dir`. */
export function relocate(plugin: PluginPackage, dir: string): PluginPackage {
  const rel = plugin.executablePath.slice(plugin.dir.length + 1);
  return { ...plugin, dir, executablePath: join(dir, rel) };
}
