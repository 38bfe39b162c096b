#!/usr/bin/env node
// The `portable-gen` command: writes the TypeScript types of a plugin's
// typed symbols (PROTOCOL.md §6.4.1) from its description files, or with
// --check says whether the file on disk is what it would write (for CI).

import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { generateTypes } from "./generate.js";

const USAGE = `usage: portable-gen [--dir <plugin folder>] [--name <plugin>] [--out <file>] [--check]
  --dir    the plugin folder with <name>.json and functions|sources|sinks/ (default .)
  --name   the plugin name (default: the folder's name)
  --out    the file to write (default src/gen/types.ts)
  --check  write nothing; exit 1 when the file differs from what would be written`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: "." },
      name: { type: "string" },
      out: { type: "string", default: "src/gen/types.ts" },
      check: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = resolve(values.dir);
  const text = await generateTypes(
    values.name === undefined ? { dir } : { dir, name: values.name },
  );
  const out = resolve(values.out);
  if (values.check) {
    const current = await readFile(out, "utf8").catch(() => undefined);
    if (current === text) return 0;
    process.stderr.write(`portable-gen: ${values.out} is not up to date; run portable-gen\n`);
    return 1;
  }
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, text);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const e = err as { message?: string; code?: string };
    process.stderr.write(
      `portable-gen: ${e.message ?? String(err)}${e.code ? ` [${e.code}]` : ""}\n`,
    );
    process.exitCode = 2;
  },
);
