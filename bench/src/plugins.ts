// The bench plugins as installable folders: the TypeScript one bundled with
// esbuild into one .mjs (as portable-pack does, so it runs from any folder),
// the Python one copied, the Go one built once per run by
// scripts/build-go.sh (into the git-ignored .build/go) and copied. Each
// install gets a folder of its own with `<name>.json`, since the manifest's
// file name is the plugin's name.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { BENCH_DIR, FUNCTION_SYMBOL, GO_BUILD, type Lang } from "./settings.js";

/** Bundles `entry` (a bench source file) into `out`, one ESM file. */
export async function bundle(entry: string, out: string, external: string[] = []): Promise<void> {
  await build({
    entryPoints: [join(BENCH_DIR, entry)],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    external,
    logLevel: "warning",
    // Bundled CommonJS dependencies may call require().
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
  });
}

/** The Go plugin could not be built: no `go`, no module, a compile error. */
export class GoBuildError extends Error {
  override readonly name = "GoBuildError";
}

let goBuild: Promise<string> | undefined;

/** Builds the Go bench plugin and floor once per process; resolves to their folder. */
export function buildGo(): Promise<string> {
  goBuild ??= promisify(execFile)("bash", [join(BENCH_DIR, "scripts", "build-go.sh")], {
    timeout: 600_000,
    maxBuffer: 1 << 22,
  }).then(
    () => GO_BUILD,
    (e: { stderr?: string; message?: string }) => {
      const why = (e.stderr || e.message || String(e)).trim();
      throw new GoBuildError(`Go plugin not built (bench/scripts/build-go.sh): ${why}`);
    },
  );
  return goBuild;
}

const FILES: Record<Lang, { dir: string; executable: string; language: string }> = {
  ts: { dir: "ts", executable: "main.mjs", language: "nodejs" },
  python: { dir: "python", executable: "bench_plugin.py", language: "python" },
  go: { dir: "go", executable: "benchgo", language: "go" },
};

export class PluginFolders {
  readonly #work: string;
  #tsBundle: string | undefined;

  constructor(work: string) {
    this.#work = work;
  }

  /**
   * A fresh folder holding plugin `name` in `lang`, ready for `host.install(name, folder)`.
   * `typed`: with a signature for its function (PROTOCOL.md §6.4.1), which the host checks
   * every call's arguments against.
   */
  async stage(lang: Lang, name: string, typed = false): Promise<string> {
    const dir = join(await mkdtemp(join(this.#work, "stage-")), name);
    await mkdir(join(dir, "sources"), { recursive: true });
    const { dir: srcDir, executable, language } = FILES[lang];
    const src = join(BENCH_DIR, "plugins", srcDir);
    await copyFile(
      join(src, "sources", "benchsource.yaml"),
      join(dir, "sources", "benchsource.yaml"),
    );
    if (lang === "ts") {
      this.#tsBundle ??= await this.#bundleTs();
      await copyFile(this.#tsBundle, join(dir, executable));
    } else if (lang === "go") {
      // copyFile keeps the mode: the binary stays executable.
      await copyFile(join(await buildGo(), executable), join(dir, executable));
    } else {
      await copyFile(join(src, executable), join(dir, executable));
    }
    const manifest = {
      version: "v1.0.0",
      language,
      executable,
      sources: ["benchsource"],
      sinks: ["benchsink"],
      functions: [FUNCTION_SYMBOL[lang]],
    };
    await writeFile(join(dir, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    if (typed) {
      await mkdir(join(dir, "functions"), { recursive: true });
      const file = join(dir, "functions", `${FUNCTION_SYMBOL[lang]}.json`);
      await writeFile(file, JSON.stringify(typedDescription(FUNCTION_SYMBOL[lang])));
    }
    return dir;
  }

  async #bundleTs(): Promise<string> {
    const out = join(this.#work, "ts-plugin", "main.mjs");
    await bundle("plugins/ts/src/main.ts", out);
    return out;
  }
}

/** The description of the bench function with a signature for the bench row `{id, pad}`. */
function typedDescription(symbol: string) {
  const rowSchema = {
    type: "object",
    properties: { id: { type: "integer", minimum: 0 }, pad: { type: "string" } },
    required: ["id", "pad"],
    additionalProperties: false,
  };
  return {
    about: { trial: false },
    functions: [
      { name: symbol, signature: { params: [{ name: "row", schema: rowSchema }], result: true } },
    ],
  };
}
