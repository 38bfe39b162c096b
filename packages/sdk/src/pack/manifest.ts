// The plugin manifest (`<name>.json`, PROTOCOL.md §6.2) as `portable-pack`
// sees it: found from the name the program declares, generated from the
// program's symbols when it is missing (`portable-pack init`, or the first
// pack), and read leniently: `language` and `executable` may be left out,
// since the packer decides both. Every refusal says what to do.

import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PluginManifest, SYMBOL_KINDS, symbolListOf } from "@portable-plugins/protocol";
import { SdkError } from "../errors.js";
import type { PluginDescription } from "../runtime/describe.js";

/** The manifest lists, which are also the package folders of symbol files. */
export const SYMBOL_DIRS = SYMBOL_KINDS.map(symbolListOf);

/** JSON files of a plugin folder that are never the manifest. */
const NOT_MANIFESTS = /^(package|package-lock|tsconfig.*|biome|jsconfig|\..*)\.json$/;

function fail(message: string, plugin: string, hint: string): never {
  throw new SdkError("PORTABLE_E_DEFINITION", message, { plugin, hint });
}

/** The fields of a manifest a plugin folder holds: the packer decides the others. */
export type FolderManifest = Pick<PluginManifest, "version" | "sources" | "sinks" | "functions">;

/** The manifest a program's symbols call for: what `init` writes. */
export function manifestFor(description: PluginDescription, version: string): FolderManifest {
  return {
    version,
    sources: [...description.sources],
    sinks: [...description.sinks],
    functions: [...description.functions],
  };
}

/** `v` + the version of the folder's package.json, or v1.0.0. */
export function defaultVersion(dir: string): string {
  try {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      version?: unknown;
    };
    if (typeof pkg.version === "string" && pkg.version !== "") return `v${pkg.version}`;
  } catch {
    // No package.json, or not JSON: the default.
  }
  return "v1.0.0";
}

/** The manifest's text as written in a plugin folder: no language, executable or empty fields. */
export function manifestText(m: FolderManifest): string {
  const { version, sources, sinks, functions } = m;
  return `${JSON.stringify({ version, sources, sinks, functions }, null, 2)}\n`;
}

export interface WrittenFiles {
  /** Paths written, relative to the plugin folder. */
  readonly files: string[];
}

/**
 * Writes `<name>.json` for `description` into `dir`, and `sources/<s>.yaml`
 * (an empty `default` configuration) for each source without one. Refuses to
 * replace an existing manifest.
 */
export function writeManifest(dir: string, description: PluginDescription): WrittenFiles {
  const name = description.name;
  const path = join(dir, `${name}.json`);
  if (existsSync(path)) {
    fail(
      `${name}.json already exists in ${dir}`,
      name,
      `edit it, or delete it and run portable-pack init again`,
    );
  }
  const files: string[] = [];
  writeFileSync(path, manifestText(manifestFor(description, defaultVersion(dir))));
  files.push(`${name}.json`);
  for (const source of description.sources) {
    const yaml = join(dir, symbolListOf("source"), `${source}.yaml`);
    if (existsSync(yaml)) continue;
    mkdirSync(join(dir, symbolListOf("source")), { recursive: true });
    writeFileSync(
      yaml,
      `# Named configurations of source ${source}: a rule picks one (default: "default").\ndefault: {}\n`,
    );
    files.push(`sources/${source}.yaml`);
  }
  return { files };
}

/** Other `*.json` files at the top of `dir` that could be a manifest. */
function otherManifests(dir: string, name: string): string[] {
  return readdirSync(dir).filter(
    (f) => f.endsWith(".json") && f !== `${name}.json` && !NOT_MANIFESTS.test(f),
  );
}

export interface ReadManifest {
  readonly manifest: PluginManifest;
  /** Values of the folder's manifest the packed one replaces, said to the user. */
  readonly notes: string[];
}

/**
 * Reads `<name>.json` (`name`: the plugin the program declares) and holds it
 * to the program's symbols. Undefined when there is no manifest at all, so
 * the caller can generate one.
 */
export function readManifest(
  dir: string,
  description: PluginDescription,
  packed: { language: string; executable: string },
): ReadManifest | undefined {
  const name = description.name;
  const path = join(dir, `${name}.json`);
  if (!existsSync(path)) {
    const others = otherManifests(dir, name);
    if (others.length === 0) return undefined;
    fail(
      `the program serves plugin ${JSON.stringify(name)} but the manifest is ${others.join(", ")}`,
      name,
      `rename ${others[0]} to ${name}.json (the plugin's name is the one given to definePlugin)`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    fail(`${name}.json is not JSON: ${(err as Error).message}`, name, "fix the file's syntax");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    fail(`${name}.json must hold a JSON object`, name, "see docs/plugin-authors.md §3");
  }
  const given = json as Record<string, unknown>;
  let manifest: PluginManifest;
  try {
    // The packer decides language and executable: the folder's manifest may leave them out,
    // and a language the schema does not list is replaced (said in the notes), not refused.
    manifest = PluginManifest.decode(
      Buffer.from(JSON.stringify({ ...packed, ...given, language: packed.language })),
    );
  } catch (err) {
    fail(`${name}.json: ${(err as Error).message}`, name, "see docs/plugin-authors.md §3");
  }
  const notes: string[] = [];
  for (const field of ["language", "executable"] as const) {
    if (given[field] !== undefined && given[field] !== packed[field]) {
      notes.push(
        `${name}.json says ${field} ${JSON.stringify(given[field])}; the zip's manifest says ${JSON.stringify(packed[field])} (portable-pack sets it; leave it out of ${name}.json)`,
      );
    }
  }
  const wrong = SYMBOL_DIRS.filter((kind) => {
    const listed = [...manifest[kind]].sort();
    const served = description[kind];
    return listed.length !== served.length || listed.some((s, i) => s !== served[i]);
  });
  if (wrong.length > 0) {
    const lists = (kinds: readonly (typeof SYMBOL_DIRS)[number][]) =>
      kinds.map((k) => `"${k}": ${JSON.stringify(description[k])}`).join(", ");
    fail(
      wrong
        .map(
          (kind) =>
            `${name}.json lists ${kind} [${manifest[kind].join(", ")}] but the program serves [${description[kind].join(", ")}]`,
        )
        .join("; "),
      name,
      `set ${lists(wrong)} in ${name}.json, or delete ${name}.json and run portable-pack again to generate it`,
    );
  }
  return { manifest: { ...manifest, name: "" }, notes };
}
