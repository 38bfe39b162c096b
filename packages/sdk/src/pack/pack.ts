// Builds the zip a host installs (PROTOCOL.md §6) from a TypeScript plugin:
// bundles the program into one ESM file with its dependencies, adds a shell
// launcher so the package runs as a plain executable (language "go" in the
// manifest: the only kind besides python that eKuiper's host starts), checks
// the manifest against what the program declares (writing it first when the
// folder has none, see manifest.ts), and writes a reproducible zip (fixed
// dates and modes).

import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { PluginManifest, symbolListOf } from "@portable-plugins/protocol";
import { build } from "esbuild";
import yazl from "yazl";
import { SdkError } from "../errors.js";
import { DESCRIBE_ENV, type PluginDescription } from "../runtime/describe.js";
import { readManifest, SYMBOL_DIRS, writeManifest } from "./manifest.js";

export interface PackOptions {
  /** The plugin folder: holds `<name>.json`, and `sources/ sinks/ functions/` files. */
  readonly dir: string;
  /** The program's entry file (TypeScript or JavaScript), relative to `dir`. */
  readonly entry: string;
  /** Where to write the zip. Default `<dir>/build/<name>.zip`. */
  readonly out?: string;
  /** "go" (default: a launcher script, runs under any host) or "nodejs" (our host only). */
  readonly language?: "go" | "nodejs";
}

export interface PackResult {
  readonly zip: string;
  readonly name: string;
  readonly files: string[];
  readonly description: PluginDescription;
  /** Files written into the plugin folder: the manifest and source configurations when they were missing. */
  readonly generated: string[];
  /** Values of the folder's manifest that the packed manifest replaces (language, executable). */
  readonly notes: string[];
}

const FIXED_DATE = new Date("2000-01-01T00:00:00Z");

const launcher = (name: string) =>
  `#!/bin/sh\n# Starts the ${name} portable plugin with Node.js (PORTABLE_NODE overrides the node binary).\n` +
  `exec "\${PORTABLE_NODE:-node}" "$(dirname "$0")/${name}.mjs" "$@"\n`;

/** Bundles `entry` into `<work>/bundle.mjs` and asks the program what it serves. */
async function bundleAndDescribe(
  dir: string,
  entry: string,
  work: string,
): Promise<{ bundle: string; description: PluginDescription }> {
  const bundle = join(work, "bundle.mjs");
  const entryPath = resolve(dir, entry);
  if (!existsSync(entryPath)) {
    throw new SdkError("PORTABLE_E_DEFINITION", `entry file ${entryPath} does not exist`, {
      hint: "give --entry the program that calls startPlugin(), e.g. --entry src/main.ts",
    });
  }
  await build({
    entryPoints: [entryPath],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: bundle,
    logLevel: "silent",
    // Bundled CommonJS dependencies may call require(): give them one.
    banner: {
      js: "import { createRequire as __pp_cr } from 'node:module'; const require = __pp_cr(import.meta.url);",
    },
    legalComments: "none",
  });
  const out = execFileSync(process.execPath, [bundle], {
    env: { ...process.env, [DESCRIBE_ENV]: "1", PORTABLE_PLUGIN_NAME: "" },
    encoding: "utf8",
    timeout: 30_000,
  });
  let description: PluginDescription;
  try {
    description = JSON.parse(out.trim().split("\n").pop() ?? "") as PluginDescription;
  } catch {
    throw new SdkError(
      "PORTABLE_E_DEFINITION",
      `${entry} did not describe a plugin (it printed ${JSON.stringify(out.slice(0, 200))})`,
      { hint: "the entry must call startPlugin(definePlugin({...})) from @portable-plugins/sdk" },
    );
  }
  return { bundle, description };
}

/**
 * Writes the manifest `<name>.json` (and an empty `sources/<s>.yaml` per
 * source without one) into `dir` from the symbols the program serves: what
 * `portable-pack init` does. Refuses to replace an existing manifest.
 */
export async function initManifest(
  options: Pick<PackOptions, "dir" | "entry">,
): Promise<{ name: string; files: string[]; description: PluginDescription }> {
  const dir = resolve(options.dir);
  const work = mkdtempSync(join(tmpdir(), "portable-pack-"));
  try {
    const { description } = await bundleAndDescribe(dir, options.entry, work);
    return { name: description.name, description, ...writeManifest(dir, description) };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function packPlugin(options: PackOptions): Promise<PackResult> {
  const dir = resolve(options.dir);
  const language = options.language ?? "go";
  const work = mkdtempSync(join(tmpdir(), "portable-pack-"));
  try {
    const { bundle, description } = await bundleAndDescribe(dir, options.entry, work);
    const name = description.name;
    const executable = language === "go" ? name : `${name}.mjs`;
    // No manifest yet: write it from the program's symbols, then read it as any other.
    let generated: string[] = [];
    let read = readManifest(dir, description, { language, executable });
    if (!read) {
      generated = writeManifest(dir, description).files;
      read = readManifest(dir, description, { language, executable });
    }
    if (!read) throw new SdkError("PORTABLE_E_DEFINITION", `cannot read ${name}.json`);
    const { manifest, notes } = read;
    for (const source of manifest.sources) {
      if (!existsSync(join(dir, symbolListOf("source"), `${source}.yaml`)))
        throw new SdkError(
          "PORTABLE_E_DEFINITION",
          `source ${source} needs sources/${source}.yaml`,
          {
            plugin: name,
            hint: `write its named configurations there, at least "default: {}"`,
          },
        );
    }

    const packed: PluginManifest = { ...manifest, language, executable };
    delete (packed as { name?: string }).name;
    const entries: { path: string; data: Buffer; mode: number }[] = [
      {
        path: `${name}.json`,
        data: Buffer.from(
          `${JSON.stringify(JSON.parse(PluginManifest.encodeToString(packed)), null, 2)}\n`,
        ),
        mode: 0o644,
      },
      { path: `${name}.mjs`, data: readFileSync(bundle), mode: 0o755 },
    ];
    if (language === "go")
      entries.push({ path: name, data: Buffer.from(launcher(name)), mode: 0o755 });
    for (const sub of SYMBOL_DIRS) {
      const d = join(dir, sub);
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d).sort()) {
        if (statSync(join(d, f)).isFile())
          entries.push({ path: `${sub}/${f}`, data: readFileSync(join(d, f)), mode: 0o644 });
      }
    }
    if (existsSync(join(dir, "install.sh")))
      entries.push({
        path: "install.sh",
        data: readFileSync(join(dir, "install.sh")),
        mode: 0o755,
      });

    const zipPath = resolve(options.out ?? join(dir, "build", `${name}.zip`));
    mkdirSync(dirname(zipPath), { recursive: true });
    const zip = new yazl.ZipFile();
    for (const e of entries)
      zip.addBuffer(e.data, e.path, { mtime: FIXED_DATE, mode: 0o100000 | e.mode });
    zip.end();
    const chunks: Buffer[] = [];
    for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
    writeFileSync(zipPath, Buffer.concat(chunks));
    return {
      zip: zipPath,
      name,
      files: entries.map((e) => e.path),
      description,
      generated,
      notes,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const relativeTo = (from: string, p: string) => relative(from, p) || ".";
