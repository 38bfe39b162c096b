#!/usr/bin/env node
// `portable-pack`: builds a TypeScript plugin folder into the zip a host
// installs; `portable-pack init` writes the folder's manifest from the
// program's symbols. Errors end with what to do about them.

import { parseArgs } from "node:util";
import { messageOf, SdkError } from "../errors.js";
import { initManifest, packPlugin, relativeTo } from "./pack.js";

const HELP = `usage: portable-pack [--dir DIR] --entry FILE [--out ZIP] [--language go|nodejs]
       portable-pack init [--dir DIR] --entry FILE

Bundles the plugin program FILE (relative to DIR, default .) into one file,
checks DIR/<name>.json against the symbols the program serves, and writes
DIR/build/<name>.zip (or ZIP). <name> is the name given to definePlugin().
When DIR/<name>.json is missing it is written first from the program's
symbols (with an empty sources/<source>.yaml per source); \`init\` only writes
those files. The manifest needs no language or executable: portable-pack
sets them. --language go (default) adds a launcher so the zip runs under
eKuiper's host too; nodejs runs under @portable-plugins/host only.`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dir: { type: "string", default: "." },
      entry: { type: "string" },
      out: { type: "string" },
      language: { type: "string", default: "go" },
      help: { type: "boolean", short: "h" },
    },
  });
  const init = positionals[0] === "init";
  if (values.help || !values.entry || positionals.length > (init ? 1 : 0)) {
    if (!values.help && !values.entry)
      process.stderr.write("portable-pack: --entry is required, e.g. --entry src/main.ts\n");
    else if (!values.help)
      process.stderr.write(`portable-pack: unknown command ${positionals.join(" ")}\n`);
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  if (init) {
    const r = await initManifest({ dir: values.dir, entry: values.entry });
    process.stdout.write(`portable-pack: wrote ${r.files.join(", ")} for plugin ${r.name}\n`);
    return 0;
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
  if (result.generated.length > 0) {
    process.stdout.write(
      `portable-pack: no ${result.name}.json yet: wrote ${result.generated.join(", ")} from the program's symbols (keep them with your sources)\n`,
    );
  }
  for (const note of result.notes) process.stderr.write(`portable-pack: note: ${note}\n`);
  process.stdout.write(
    `portable-pack: wrote ${relativeTo(process.cwd(), result.zip)} (${result.files.join(", ")})\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    const hint = SdkError.is(err) && err.hint ? `\n  fix: ${err.hint}` : "";
    process.stderr.write(`portable-pack: ${messageOf(err)}${hint}\n`);
    process.exit(1);
  },
);
