// Where the test subjects live in this repository (tests only: the suite
// itself never uses repository-relative paths).

import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const at = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

export const REPO = at("../../");
export const PYTHON = at("../../.venv/bin/python");
// Outside CI a missing venv skips the Python subjects; in CI it never does:
// the run fails, saying to run scripts/setup-peers.sh.
if (process.env["CI"] && !existsSync(PYTHON)) {
  throw new Error(`${PYTHON} is missing: run scripts/setup-peers.sh (npm test does)`);
}
export const HAS_PYTHON = existsSync(PYTHON);
export const BROKEN = at("./broken/plugins/");
export const PYTHON_MIRROR = at("../../examples/python-mirror");
export const TS_MIRROR_DIR = at("../../examples/mirror");
export const TS_MIRROR_ZIP = at("../../examples/mirror/build/mirror.zip");
export const SPEC_ONLY_PYTHON = at("../../examples/spec-only-python");
export const MIRROR_PROFILE = at("../profiles/mirror.yaml");
export const PYTHON_KNOWN = at("../known-failures/python-sdk.txt");
export const TS_KNOWN = at("../known-failures/ts-sdk.txt");
export const KNOWN_DIR = at("../known-failures/");
export const GO_KNOWN = at("../known-failures/go-sdk.txt");
/** The built CLI (turbo builds the package before its tests). */
export const CLI = at("../dist/cli.js");
export const GO_MIRROR_DIR = at("../../examples/go-mirror");
