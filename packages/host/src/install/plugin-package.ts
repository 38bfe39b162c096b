// What a plugin folder must contain, checked the same way for a staged
// install and for a folder found at start: the manifest `<name>.json`, the
// executable inside the folder, a configuration for every source, and
// well-formed symbol names and descriptions.

import { chmod, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import {
  LANGUAGES,
  PluginManifest,
  ProtocolError,
  SYMBOL_KINDS,
  type SymbolKind,
  symbolListOf,
  symbolsOf,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import { symbolNameProblem } from "../names.js";
import type { InstalledPlugin } from "./plugin.js";
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

async function readManifest(dir: string, name: string) {
  const file = `${name}.json`;
  const path = join(dir, file);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    const others = (await readdir(dir).catch(() => [] as string[])).filter((f) =>
      f.endsWith(".json"),
    );
    const hint =
      others.length > 0
        ? ` (found ${others.join(", ")}: the manifest's file name must equal the plugin name)`
        : "";
    throw new HostError("PORTABLE_E_MANIFEST", `plugin ${name}: missing manifest ${file}${hint}`, {
      plugin: name,
      path: file,
    });
  }
  try {
    return PluginManifest.decode(bytes);
  } catch (err) {
    if (!ProtocolError.is(err)) throw err;
    const language = err.field === "language" ? languageIn(bytes) : undefined;
    if (language !== undefined) {
      throw manifestError(
        name,
        `language '${language}' is not supported (use ${LANGUAGES.join(", ")})`,
        "language",
      );
    }
    const where = err.field ? ` field "${err.field}"` : "";
    throw new HostError(
      "PORTABLE_E_MANIFEST",
      `plugin ${name}: invalid manifest ${file}${where}: ${err.message}`,
      { plugin: name, path: file, field: err.field, cause: err },
    );
  }
}

/** The manifest's `language` when it is a string (the schema allows only LANGUAGES). */
function languageIn(bytes: Buffer): string | undefined {
  try {
    const language = (JSON.parse(bytes.toString("utf8")) as { language?: unknown }).language;
    return typeof language === "string" ? language : undefined;
  } catch {
    return undefined;
  }
}

function manifestError(name: string, detail: string, field?: string): HostError {
  return new HostError(
    "PORTABLE_E_MANIFEST",
    `plugin ${name}: invalid manifest ${name}.json: ${detail}`,
    {
      plugin: name,
      path: `${name}.json`,
      ...(field === undefined ? {} : { field }),
    },
  );
}

/** A path as shown in errors: relative inside the package, absolute elsewhere (etc). */
function shown(dir: string, path: string): string {
  return path.startsWith(dir + sep) ? path.slice(dir.length + 1) : path;
}

/** Names the plugin and symbol in a configuration error. */
function inPlugin(err: unknown, plugin: string, symbol: string): unknown {
  if (!HostError.is(err)) return err;
  return new HostError(err.code, `plugin ${plugin}: ${err.message}`, {
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
    new HostError(
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

/** Checks the folder `dir` as plugin `name`; returns what the registry records. */
export async function checkPackage(
  dir: string,
  name: string,
  opts: PackageCheckOptions = {},
): Promise<InstalledPlugin> {
  const manifest = await readManifest(dir, name);
  if (manifest.name !== undefined && manifest.name !== "" && manifest.name !== name) {
    throw manifestError(name, `expect name '${name}' but got '${manifest.name}'`, "name");
  }
  if (manifest.virtualEnvType !== undefined && manifest.virtualEnvType !== "") {
    if (manifest.virtualEnvType !== "conda" || manifest.language !== "python") {
      throw manifestError(
        name,
        `virtualEnvType '${manifest.virtualEnvType}' is not supported (only "conda", for python)`,
        "virtualEnvType",
      );
    }
    if (!manifest.env) throw manifestError(name, `virtualEnvType "conda" needs "env"`, "env");
  }
  if (manifest.executable === "") throw manifestError(name, "missing executable", "executable");
  const total = manifest.sources.length + manifest.sinks.length + manifest.functions.length;
  if (total === 0) throw manifestError(name, "must define at least one source, sink or function");
  for (const kind of SYMBOL_KINDS) {
    const seen = new Set<string>();
    const field = symbolListOf(kind);
    for (const [i, symbol] of symbolsOf(manifest, kind).entries()) {
      const problem = symbolNameProblem(kind, symbol);
      if (problem) throw manifestError(name, problem, `${field}[${i}]`);
      if (seen.has(symbol))
        throw manifestError(name, `${kind} ${symbol} is listed twice`, `${field}[${i}]`);
      seen.add(symbol);
    }
  }
  const executablePath = await checkExecutable(dir, name, manifest.executable);
  for (const source of manifest.sources) {
    const config = await symbolFile(dir, "source", source, "yaml", opts);
    if (!config) {
      throw new HostError(
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
export function relocate(plugin: InstalledPlugin, dir: string): InstalledPlugin {
  const rel = plugin.executablePath.slice(plugin.dir.length + 1);
  return { ...plugin, dir, executablePath: join(dir, rel) };
}
