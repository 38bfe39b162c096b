// The bench plugins as installable folders: the TypeScript one bundled with
// esbuild into one .mjs (as portable-pack does, so it runs from any folder),
// the Python one copied. Each install gets a folder of its own with
// `<name>.json`, since the manifest's file name is the plugin's name.
import { copyFile, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { build } from "esbuild";
import { BENCH_DIR, type Lang } from "./settings.js";

const SYMBOLS = { sources: ["benchsource"], sinks: ["benchsink"], functions: ["benchecho"] };

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

export class PluginFolders {
  readonly #work: string;
  #tsBundle: string | undefined;

  constructor(work: string) {
    this.#work = work;
  }

  /** A fresh folder holding plugin `name` in `lang`, ready for `host.install(name, folder)`. */
  async stage(lang: Lang, name: string): Promise<string> {
    const dir = join(await mkdtemp(join(this.#work, "stage-")), name);
    await mkdir(join(dir, "sources"), { recursive: true });
    const src = join(BENCH_DIR, "plugins", lang === "ts" ? "ts" : "python");
    await copyFile(
      join(src, "sources", "benchsource.yaml"),
      join(dir, "sources", "benchsource.yaml"),
    );
    let executable: string;
    if (lang === "ts") {
      this.#tsBundle ??= await this.#bundleTs();
      executable = "main.mjs";
      await copyFile(this.#tsBundle, join(dir, executable));
    } else {
      executable = "bench_plugin.py";
      await copyFile(join(src, executable), join(dir, executable));
    }
    const language = lang === "ts" ? "nodejs" : "python";
    const manifest = { version: "v1.0.0", language, executable, ...SYMBOLS };
    await writeFile(join(dir, `${name}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
    return dir;
  }

  async #bundleTs(): Promise<string> {
    const out = join(this.#work, "ts-plugin", "main.mjs");
    await bundle("plugins/ts/src/main.ts", out);
    return out;
  }
}
