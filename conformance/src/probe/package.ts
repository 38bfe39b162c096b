// Writes the host probe as a plugin folder any host can install (PROTOCOL.md
// §6): `probe.json` (language go: a launcher script, so a host needs nothing
// but Node.js on the machine), the launcher `probe`, `probe.mjs` (imports
// this package's built probe), `probe-mode.json` (the versions it plays) and
// `sources/probe_rows.yaml`. Zip the folder's content for a host that
// installs zips (eKuiper: `cd folder && zip -r ../probe.zip .`).

import { chmodSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  PROBE_FUNCTION,
  PROBE_MODE_FILE,
  PROBE_PLUGIN,
  PROBE_SOURCE,
  type ProbeMode,
} from "./events.js";

const here = dirname(fileURLToPath(import.meta.url));
/** The built probe program: next to this module in dist/, the built one when run from src/ (tests). */
export const PROBE_MAIN = existsSync(join(here, "main.js"))
  ? join(here, "main.js")
  : join(here, "..", "..", "dist", "probe", "main.js");

export function writeProbeFolder(dir: string, mode: ProbeMode): string {
  mkdirSync(join(dir, "sources"), { recursive: true });
  const manifest = {
    version: "v1.0.0",
    language: "go",
    executable: PROBE_PLUGIN,
    sources: [PROBE_SOURCE],
    sinks: [],
    functions: [PROBE_FUNCTION],
  };
  writeFileSync(join(dir, `${PROBE_PLUGIN}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  const launcher = join(dir, PROBE_PLUGIN);
  writeFileSync(
    launcher,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion
    '#!/bin/sh\n# The conformance host probe (PORTABLE_NODE overrides the node binary).\nexec "${PORTABLE_NODE:-node}" "$(dirname "$0")/probe.mjs" "$@"\n',
  );
  chmodSync(launcher, 0o755);
  writeFileSync(
    join(dir, "probe.mjs"),
    `// The conformance host probe: runs the probe of @portable-plugins/conformance.\nimport ${JSON.stringify(pathToFileURL(PROBE_MAIN).href)};\n`,
  );
  writeFileSync(join(dir, PROBE_MODE_FILE), `${JSON.stringify(mode)}\n`);
  writeFileSync(
    join(dir, "sources", `${PROBE_SOURCE}.yaml`),
    "default:\n  count: 100\n  batch: 25\n",
  );
  return dir;
}
