// docs/plugin-authors.md, followed as written: its code blocks (the ones
// that name their file, `// src/...` or `# sources/...`, and its
// tsconfig.json) go into an empty folder outside the repository, which must
// type-check, pack (the manifest written as the guide shows it), install
// into `portable serve` and answer `portable exec` and `portable tail` with
// the values the guide shows. The packages come from this checkout
// (node_modules linked), as the guide's "from a checkout" set-up gives them.

import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { portable, startServer, stop } from "./cli-helpers.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const GUIDE = join(ROOT, "docs", "plugin-authors.md");
const PACK_CLI = join(ROOT, "packages", "sdk", "dist", "pack", "cli.js");
const TSC = join(ROOT, "node_modules", "typescript", "bin", "tsc");

interface Guide {
  /** File blocks in the guide's order: [path, text]. */
  readonly files: [string, string][];
  readonly tsconfig: string;
  /** The manifest the guide shows after the first pack. */
  readonly manifest: unknown;
}

function readGuide(text: string): Guide {
  const files: [string, string][] = [];
  let tsconfig = "";
  let manifest: unknown;
  for (const m of text.matchAll(/```(\w*)\n([\s\S]*?)```/g)) {
    const [, lang, body = ""] = m;
    const named = /^(?:\/\/|#) ((?:src|sources)\/[\w./-]+?):?(?:\s|$)/.exec(body);
    if (named?.[1]) files.push([named[1], body]);
    else if (lang === "json" && body.includes('"compilerOptions"')) tsconfig = body;
    else if (lang === "json" && body.includes('"functions"') && manifest === undefined)
      manifest = JSON.parse(body);
  }
  return { files, tsconfig, manifest };
}

let work: string;
let dir: string;
let guide: Guide;
let server: Awaited<ReturnType<typeof startServer>> | undefined;

const sh = async (file: string, args: string[]) => {
  try {
    const r = await run(file, args, { cwd: dir, timeout: 60_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};
const typecheck = () => sh(process.execPath, [TSC, "-p", "tsconfig.json"]);
const pack = () => sh(process.execPath, [PACK_CLI, "--entry", "src/main.ts"]);
const cli = (...args: string[]) => portable("--server", server!.url, ...args);

/** Writes the guide's version of `path` number `nth` (0: the first the guide shows). */
async function place(path: string, nth = 0): Promise<void> {
  const text = guide.files.filter(([p]) => p === path)[nth]?.[1];
  expect(text, `the guide shows ${path} (#${nth})`).toBeDefined();
  await mkdir(join(dir, path, ".."), { recursive: true });
  await writeFile(join(dir, path), text!);
}

beforeAll(async () => {
  guide = readGuide(await readFile(GUIDE, "utf8"));
  work = await mkdtemp(join(tmpdir(), "author-guide-"));
  dir = join(work, "upper");
  await mkdir(join(dir, "node_modules"), { recursive: true });
  // The installed packages: this checkout's, as `npm install <tarballs>` gives them.
  for (const scope of ["@portable-plugins", "@types"])
    await symlink(join(ROOT, "node_modules", scope), join(dir, "node_modules", scope));
  await writeFile(
    join(dir, "package.json"),
    JSON.stringify({ name: "upper", version: "1.0.0", type: "module" }),
  );
  await writeFile(join(dir, "tsconfig.json"), guide.tsconfig);
}, 60_000);

afterAll(async () => {
  if (server) await stop(server.child);
  await rm(work, { recursive: true, force: true });
}, 60_000);

it("section 2: the one-function plugin type-checks, packs with the manifest shown, and answers exec", async () => {
  for (const f of ["src/upper.ts", "src/plugin.ts", "src/main.ts"]) await place(f);
  expect(await typecheck()).toMatchObject({ code: 0, stdout: "" });
  const packed = await pack();
  expect(packed).toMatchObject({ code: 0, stderr: "" });
  expect(packed.stdout).toBe(
    "portable-pack: no upper.json yet: wrote upper.json from the program's symbols (keep them with your sources)\n" +
      "portable-pack: wrote build/upper.zip (upper.json, upper.mjs, upper)\n",
  );
  expect(JSON.parse(await readFile(join(dir, "upper.json"), "utf8"))).toEqual(guide.manifest);

  server = await startServer(join(work, "data"));
  expect((await cli("install", join(dir, "build", "upper.zip"))).stdout).toBe(
    "portable plugin upper is created\n",
  );
  expect(await cli("exec", "upper", '["hello"]')).toMatchObject({ code: 0, stdout: '"HELLO"\n' });
  const refused = await cli("exec", "upper", "[42]");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("exec failed: upper wants a string, got 42");
}, 120_000);

it("section 3: with a source and a sink, pack says the fix, regenerates, and tail shows the rows", async () => {
  expect(server, "section 2 ran").toBeDefined();
  await place("src/ticker.ts");
  await place("src/printer.ts");
  await place("src/plugin.ts", 1);
  expect(await typecheck()).toMatchObject({ code: 0, stdout: "" });
  const stale = await pack();
  expect(stale.code).toBe(1);
  expect(stale.stderr).toContain(
    '  fix: set "sources": ["ticker"], "sinks": ["printer"] in upper.json',
  );
  await rm(join(dir, "upper.json"));
  expect((await pack()).code).toBe(0);
  await place("sources/ticker.yaml");
  expect((await pack()).code).toBe(0);
  expect((await cli("update", "upper", join(dir, "build", "upper.zip"))).stdout).toBe(
    "portable plugin upper is updated\n",
  );
  const tail = await cli("tail", "ticker", "--conf-key", "fast", "--count", "3");
  expect(tail).toMatchObject({ code: 0, stdout: '{"n":0}\n{"n":1}\n{"n":2}\n' });
}, 120_000);

// The guide's blocks are what this test ran: none was left out by a rename.
it("reads every file block of the guide", () => {
  expect(guide.files.map(([p]) => p)).toEqual([
    "src/upper.ts",
    "src/plugin.ts",
    "src/main.ts",
    "src/ticker.ts",
    "src/printer.ts",
    "src/plugin.ts",
    "sources/ticker.yaml",
  ]);
});
