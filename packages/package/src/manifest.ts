// The manifest `<name>.json` of a plugin package (PROTOCOL.md §6.2): read,
// decoded by the protocol's codec, and checked for what a host can run — the
// name, a supported language, conda only for python and with an environment,
// an executable, at least one symbol, and well-formed, distinct symbol names.

import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  LANGUAGES,
  type Language,
  PluginManifest,
  ProtocolError,
  SYMBOL_KINDS,
  symbolListOf,
  symbolsOf,
} from "@portable-plugins/protocol";
import { PackageError } from "./errors.js";
import { symbolNameProblem } from "./names.js";
import type { PluginSchemas } from "./symbol-schemas.js";

/** A checked plugin package in a folder: what a host records and launches. */
export interface PluginPackage {
  readonly name: string;
  /** Absolute path of the plugin's folder. */
  readonly dir: string;
  /** The decoded `<name>.json`, with `name` filled in. */
  readonly manifest: PluginManifest & { readonly name: string };
  readonly language: Language;
  /** Absolute path of the executable (inside `dir`). */
  readonly executablePath: string;
  /** The typed symbols its description files declare (§6.4); absent when not read. */
  readonly schemas?: PluginSchemas;
}

/** A PORTABLE_E_MANIFEST error about `<name>.json`, naming the field when there is one. */
export function manifestError(name: string, detail: string, field?: string): PackageError {
  return new PackageError(
    "PORTABLE_E_MANIFEST",
    `plugin ${name}: invalid manifest ${name}.json: ${detail}`,
    {
      plugin: name,
      path: `${name}.json`,
      ...(field === undefined ? {} : { field }),
    },
  );
}

/** Reads and decodes `<dir>/<name>.json`; PORTABLE_E_MANIFEST when missing or invalid. */
export async function readManifest(dir: string, name: string): Promise<PluginManifest> {
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
    throw new PackageError(
      "PORTABLE_E_MANIFEST",
      `plugin ${name}: missing manifest ${file}${hint}`,
      {
        plugin: name,
        path: file,
      },
    );
  }
  try {
    return PluginManifest.decode(bytes);
  } catch (err) {
    if (!ProtocolError.is(err)) throw err;
    // The schema admits only LANGUAGES (`one_of`): say which language, and the choice.
    const language = err.field === "language" ? languageIn(bytes) : undefined;
    if (language !== undefined) throw unsupportedLanguage(name, language);
    const where = err.field ? ` field "${err.field}"` : "";
    throw new PackageError(
      "PORTABLE_E_MANIFEST",
      `plugin ${name}: invalid manifest ${file}${where}: ${err.message}`,
      { plugin: name, path: file, field: err.field, cause: err },
    );
  }
}

/** The manifest's `language` when it is a string. */
function languageIn(bytes: Buffer): string | undefined {
  try {
    const language = (JSON.parse(bytes.toString("utf8")) as { language?: unknown }).language;
    return typeof language === "string" ? language : undefined;
  } catch {
    return undefined;
  }
}

function unsupportedLanguage(name: string, language: string): PackageError {
  return manifestError(
    name,
    `language '${language}' is not supported (use ${LANGUAGES.join(", ")})`,
    "language",
  );
}

/** Checks the manifest's fields (not the files it names) as plugin `name`'s. */
export function checkManifest(manifest: PluginManifest, name: string): void {
  if (manifest.name !== undefined && manifest.name !== "" && manifest.name !== name) {
    throw manifestError(name, `expect name '${name}' but got '${manifest.name}'`, "name");
  }
  if (!(LANGUAGES as readonly string[]).includes(manifest.language)) {
    throw unsupportedLanguage(name, manifest.language);
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
}
