#!/usr/bin/env node
// The main job (`npm start`): the conformance suite over the bundled mirror
// plugins, side by side, with their shared behaviour profile and each SDK's
// known failures. Reports go to reports/ (terminal table, JUnit, JSON).

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const rel = (p) => relative(process.cwd(), p) || ".";

execFileSync("bash", [join(root, "scripts/setup-peers.sh")], { stdio: "inherit" });

const { packPlugin } = await import(join(root, "packages/sdk/dist/pack/pack.js"));
const tsZip = join(root, "examples/mirror/build/mirror.zip");
await packPlugin({ dir: join(root, "examples/mirror"), entry: "src/main.ts", out: tsZip });
const pythonMirror = join(root, "examples/python-mirror");
const known = (sdk) => join(root, "conformance/known-failures", `${sdk}.txt`);

console.log(`\nSubjects:
  ${rel(tsZip)}  (TypeScript, @portable-plugins/sdk, packed with portable-pack)
  ${rel(pythonMirror)}  (Python, eKuiper's official SDK from PyPI)
  examples/go-mirror  not run: the Go module proxy refuses github.com/lf-edge/ekuiper/sdk/go (HTTP 403) on this machine\n`);

const reports = join(root, "reports");
mkdirSync(reports, { recursive: true });
const python = join(root, ".venv/bin/python");
const args = [
  join(root, "conformance/dist/cli.js"),
  tsZip,
  pythonMirror,
  "--profile",
  join(root, "conformance/profiles/mirror.yaml"),
  "--known-failures",
  `${tsZip}=${known("ts-sdk")}`,
  "--known-failures",
  `${pythonMirror}=${known("python-sdk")}`,
  "--junit",
  join(reports, "conformance.xml"),
  "--json",
  join(reports, "conformance.json"),
  ...(existsSync(python) ? ["--python", python] : []),
];
const run = spawnSync(process.execPath, args, { stdio: "inherit" });
console.log(
  `\nReports: ${rel(join(reports, "conformance.xml"))}, ${rel(join(reports, "conformance.json"))}`,
);
process.exit(run.status ?? 1);
