#!/usr/bin/env node
// `portable-pack`: builds a TypeScript plugin folder into the zip a host installs.

import { parseArgs } from "node:util";
import { messageOf } from "../errors.js";
import { packPlugin, relativeTo } from "./pack.js";

const HELP = `usage: portable-pack [--dir DIR] --entry FILE [--out ZIP] [--language go|nodejs]

Bundles the plugin program FILE (relative to DIR, default .) into one file,
checks DIR/<name>.json against the symbols the program serves, and writes
DIR/build/<name>.zip (or ZIP). --language go (default) adds a launcher so the
zip runs under eKuiper's host too; nodejs runs under @portable-plugins/host only.`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: "." },
      entry: { type: "string" },
      out: { type: "string" },
      language: { type: "string", default: "go" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help || !values.entry) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (values.language !== "go" && values.language !== "nodejs") {
    process.stderr.write(`portable-pack: --language is go or nodejs, not ${values.language}\n`);
    return 2;
  }
  const result = await packPlugin({
    dir: values.dir,
    entry: values.entry,
    language: values.language,
    ...(values.out === undefined ? {} : { out: values.out }),
  });
  process.stdout.write(
    `portable-pack: wrote ${relativeTo(process.cwd(), result.zip)} (${result.files.join(", ")})\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`portable-pack: ${messageOf(err)}\n`);
    process.exit(1);
  },
);
