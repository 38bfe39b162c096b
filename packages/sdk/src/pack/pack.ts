// Builds the zip a host installs (PROTOCOL.md §6) from a TypeScript plugin:
// bundles the program into one ESM file with its dependencies, adds a shell
// launcher so the package runs as a plain executable (language "go" in the
// manifest: the only kind besides python that eKuiper's host starts), checks
// the manifest against what the program declares, and writes a reproducible
// zip (fixed dates and modes).

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
import { basename, dirname, join, relative, resolve } from "node:path";
import { PluginManifest, SYMBOL_KINDS, symbolListOf } from "@portable-plugins/protocol";
import { build } from "esbuild";
import yazl from "yazl";
import { SdkError } from "../errors.js";
import { DESCRIBE_ENV, type PluginDescription } from "../runtime/describe.js";

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
}

const FIXED_DATE = new Date("2000-01-01T00:00:00Z");
/** The manifest lists, which are also the package folders of symbol files. */
const SYMBOL_DIRS = SYMBOL_KINDS.map(symbolListOf);

function fail(message: string, plugin?: string): never {
  throw new SdkError("PORTABLE_E_DEFINITION", message, plugin === undefined ? {} : { plugin });
}

function findManifest(dir: string): { name: string; path: string } {
  const candidates = readdirSync(dir).filter(
    (f) =>
      f.endsWith(".json") &&
      !["package.json", "tsconfig.json", "package-lock.json"].includes(f) &&
      !f.startsWith("tsconfig"),
  );
  if (candidates.length !== 1)
    fail(
      `expected exactly one plugin manifest <name>.json in ${dir}, found ${candidates.length ? candidates.join(", ") : "none"}`,
    );
  const file = candidates[0]!;
  return { name: basename(file, ".json"), path: join(dir, file) };
}

const launcher = (name: string) =>
  `#!/bin/sh\n# Starts the ${name} portable plugin with Node.js (PORTABLE_NODE overrides the node binary).\n` +
  `exec "\${PORTABLE_NODE:-node}" "$(dirname "$0")/${name}.mjs" "$@"\n`;

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

export async function packPlugin(options: PackOptions): Promise<PackResult> {
  const dir = resolve(options.dir);
  const { name, path: manifestPath } = findManifest(dir);
  const manifest = PluginManifest.decode(readFileSync(manifestPath));
  const work = mkdtempSync(join(tmpdir(), "portable-pack-"));
  try {
    const bundle = join(work, `${name}.mjs`);
    await build({
      entryPoints: [resolve(dir, options.entry)],
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

    // Ask the program what it serves, and hold the manifest to it.
    const out = execFileSync(process.execPath, [bundle], {
      env: { ...process.env, [DESCRIBE_ENV]: "1", PORTABLE_PLUGIN_NAME: "" },
      encoding: "utf8",
      timeout: 30_000,
    });
    const description = JSON.parse(out.trim().split("\n").pop() ?? "{}") as PluginDescription;
    if (description.name !== name)
      fail(
        `the program serves plugin ${JSON.stringify(description.name)} but the manifest is ${name}.json`,
        name,
      );
    for (const kind of SYMBOL_DIRS) {
      if (!sameSet(description[kind], manifest[kind])) {
        fail(
          `${name}.json lists ${kind} [${manifest[kind].join(", ")}] but the program serves [${description[kind].join(", ")}]`,
          name,
        );
      }
    }
    for (const source of manifest.sources) {
      if (!existsSync(join(dir, symbolListOf("source"), `${source}.yaml`)))
        fail(`source ${source} needs sources/${source}.yaml`, name);
    }

    const language = options.language ?? "go";
    const packed: PluginManifest = {
      ...manifest,
      language,
      executable: language === "go" ? name : `${name}.mjs`,
    };
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
    return { zip: zipPath, name, files: entries.map((e) => e.path), description };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const relativeTo = (from: string, p: string) => relative(from, p) || ".";
