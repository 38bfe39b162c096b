// Reading a plugin's typed symbols (PROTOCOL.md §6.4) from its description
// files: used by checkPackage (so an install refuses a malformed schema) and,
// on its own, by tools that only need the types — `portable-gen`, the
// conformance suite — for a plugin folder or a zip.

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { type PluginManifest, SYMBOL_KINDS, symbolsOf } from "@portable-plugins/protocol";
import { PackageError } from "./errors.js";
import { checkManifest, readManifest } from "./manifest.js";
import { createSchemaAjv } from "./schema-ajv.js";
import { readDescription } from "./symbol-config.js";
import { inPlugin, type PackageCheckOptions, shown, symbolFile } from "./symbol-files.js";
import {
  type FunctionSignature,
  type PluginSchemas,
  parseFunctionSignatures,
  parseSymbolSchemas,
  type SymbolSchemas,
} from "./symbol-schemas.js";
import { DEFAULT_LIMITS, type ExtractLimits, extractZip } from "./unzip.js";

/**
 * Reads every description file of the manifest's symbols (each must be valid
 * JSON) and the schemas they declare. A signature for a function the manifest
 * does not list, or two signatures for one function, is an error.
 */
export async function collectSchemas(
  dir: string,
  name: string,
  manifest: PluginManifest,
  opts: PackageCheckOptions = {},
): Promise<PluginSchemas> {
  const ajv = createSchemaAjv();
  const functions = new Map<string, FunctionSignature>();
  const sources = new Map<string, SymbolSchemas>();
  const sinks = new Map<string, SymbolSchemas>();
  const declared = new Set(manifest.functions);
  for (const kind of SYMBOL_KINDS) {
    for (const symbol of symbolsOf(manifest, kind)) {
      const path = await symbolFile(dir, kind, symbol, "json", opts);
      if (!path) continue;
      const file = shown(dir, path);
      const description = await readDescription(path, file).catch((err: unknown) => {
        throw inPlugin(err, name, symbol);
      });
      const origin = { plugin: name, symbol, file };
      if (kind === "function") {
        for (const [fn, sig] of parseFunctionSignatures(ajv, origin, description)) {
          if (!declared.has(fn)) {
            throw new PackageError(
              "PORTABLE_E_CONFIG",
              `plugin ${name}: ${file}: signature for function ${fn}, which the manifest does not list`,
              { plugin: name, symbol: fn, path: file },
            );
          }
          if (functions.has(fn)) {
            throw new PackageError(
              "PORTABLE_E_CONFIG",
              `plugin ${name}: ${file}: function ${fn} has a signature in two description files`,
              { plugin: name, symbol: fn, path: file },
            );
          }
          functions.set(fn, sig);
        }
      } else {
        const schemas = parseSymbolSchemas(ajv, origin, description);
        if (schemas) (kind === "source" ? sources : sinks).set(symbol, schemas);
      }
    }
  }
  return { functions, sources, sinks };
}

export interface ReadSchemasOptions extends PackageCheckOptions {
  /** The plugin name; default: the folder's or zip's base name, else its only top-level `*.json`. */
  readonly name?: string;
  readonly limits?: ExtractLimits;
}

async function nameOf(dir: string, fallback: string): Promise<string> {
  const manifests = (await readdir(dir)).filter((f) => f.endsWith(".json"));
  if (manifests.includes(`${fallback}.json`) || manifests.length !== 1) return fallback;
  return (manifests[0] as string).slice(0, -".json".length);
}

/**
 * The typed symbols of the plugin at `path`: a plugin folder, or a `.zip`
 * (unpacked with the install's checks into a temporary folder, removed after).
 * The manifest is read and checked; the executable is not looked at.
 */
export async function readPluginSchemas(
  path: string,
  opts: ReadSchemasOptions = {},
): Promise<PluginSchemas> {
  const isZip = path.endsWith(".zip");
  const dir = isZip ? await mkdtemp(join(tmpdir(), "portable-schemas-")) : path;
  try {
    if (isZip) await extractZip(path, dir, opts.limits ?? DEFAULT_LIMITS);
    const name = opts.name ?? (await nameOf(dir, basename(path, ".zip")));
    const manifest = await readManifest(dir, name);
    checkManifest(manifest, name);
    return await collectSchemas(dir, name, manifest, opts);
  } finally {
    if (isZip) await rm(dir, { recursive: true, force: true });
  }
}
