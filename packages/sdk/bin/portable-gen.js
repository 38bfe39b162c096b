#!/usr/bin/env node
// Launcher of the `portable-gen` command: a committed file, so that `npm ci` links the
// command before anything is built; it runs the compiled CLI in ../dist/typegen/cli.js.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/typegen/cli.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    `portable-gen: @portable-plugins/sdk is not built (${fileURLToPath(entry)} is missing); ` +
      "run `npm run build` in the repository (or `npm start`, which builds first)\n",
  );
  process.exit(1);
}
await import(entry.href);
