// What a plugin folder must contain, checked the same way for a staged
// install, for a folder a host finds at start and for a conformance subject:
// a valid manifest `<name>.json`, the executable inside the folder, a
// configuration for every source, and well-formed descriptions.

import { chmod, realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { SYMBOL_KINDS, type SymbolKind, symbolListOf, symbolsOf } from "@portable-plugins/protocol";
import { PackageError } from "./errors.js";
import { checkManifest, manifestError, type PluginPackage, readManifest } from "./manifest.js";
import { readConfigSet, readDescription } from "./symbol-config.js";
import { safeEntrySegments } from "./unzip.js";

export interface PackageCheckOptions {
  /** Operator folder whose `sources|sinks|functions/<name>.*` files take precedence. */
  readonly etcDir?: string | undefined;
}

const exists = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * The file in effect for a symbol: `<etcDir>/<kind>/<symbol>.<ext>` when the
 * operator placed one (eKuiper's auto-load layout), else the package's own.
 */
export async function symbolFile(
  dir: string,
  kind: SymbolKind,
  symbol: string,
  ext: "yaml" | "json",
  opts: PackageCheckOptions = {},
): Promise<string | undefined> {
  const rel = join(symbolListOf(kind), `${symbol}.${ext}`);
  if (opts.etcDir && (await exists(join(opts.etcDir, rel)))) return join(opts.etcDir, rel);
  const own = join(dir, rel);
  return (await exists(own)) ? own : undefined;
}

/** A path as shown in errors: relative inside the package, absolute elsewhere (etc). */
function shown(dir: string, path: string): string {
  return path.startsWith(dir + sep) ? path.slice(dir.length + 1) : path;
}

/** Names the plugin and symbol in a configuration error. */
function inPlugin(err: unknown, plugin: string, symbol: string): unknown {
  if (!PackageError.is(err)) return err;
  return new PackageError(err.code, `plugin ${plugin}: ${err.message}`, {
    plugin,
    symbol,
    ...(err.path === undefined ? {} : { path: err.path }),
    cause: err,
  });
}

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
  for (const kind of SYMBOL_KINDS) {
    for (const symbol of symbolsOf(manifest, kind)) {
      const description = await symbolFile(dir, kind, symbol, "json", opts);
      if (description) {
        await readDescription(description, shown(dir, description)).catch((err: unknown) => {
          throw inPlugin(err, name, symbol);
        });
      }
    }
  }
  return {
    name,
    dir,
    manifest: { ...manifest, name },
    language: manifest.language,
    executablePath,
  };
}

/** The same record for the folder after it moved to `dir`. */
export function relocate(plugin: PluginPackage, dir: string): PluginPackage {
  const rel = plugin.executablePath.slice(plugin.dir.length + 1);
  return { ...plugin, dir, executablePath: join(dir, rel) };
}
