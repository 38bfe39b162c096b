#!/usr/bin/env node
// The main job (`npm start`): the conformance suite over the bundled mirror
// plugins (TypeScript SDK, eKuiper's Python SDK, eKuiper's Go SDK), side by
// side, with their shared behaviour profile and each SDK's known failures
// (a list is passed only when its file exists). Then the suite tests our
// host by acting as a plugin: the host probe under @portable-plugins/host
// offering [1,2] and [1], playing a v1 and a v2 plugin (§10.6). Reports go
// to reports/ (terminal table, JUnit, JSON).
// The three mirrors declare the same types in their description files
// (PROTOCOL.md §6.4.1), so the table's `types/*` rows are the property cases:
// each mirror checked against those types with inputs generated from them (the
// seed is on the report's last line).

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
// Built by `npm start`'s turbo build (examples/go-mirror/build.sh, newest SDK).
const goZip = join(root, "examples/go-mirror/build/mirror.zip");
if (!existsSync(goZip)) {
  console.error(
    `${rel(goZip)} is missing: build it with npx turbo run build --filter=@portable-plugins/example-go-mirror (needs Go)`,
  );
  process.exit(1);
}
const known = (sdk) => join(root, "conformance/known-failures", `${sdk}.txt`);
/** `--known-failures <subject>=<list>` when the list exists. */
const knownFlag = (subject, sdk) =>
  existsSync(known(sdk)) ? ["--known-failures", `${subject}=${known(sdk)}`] : [];

console.log(`\nSubjects:
  ${rel(tsZip)}  (TypeScript, @portable-plugins/sdk, packed with portable-pack)
  ${rel(pythonMirror)}  (Python, eKuiper's official SDK from PyPI)
  ${rel(goZip)}  (Go, eKuiper's official Go SDK, newest commit; examples/go-mirror)
Property cases (types/*): each mirror against the types its description files declare.\n`);

const reports = join(root, "reports");
mkdirSync(reports, { recursive: true });
const python = join(root, ".venv/bin/python");
// Subjects by their paths from the repository root (the suite runs there):
// they head the report's columns and key the known-failures lists.
const subject = (p) => relative(root, p);
const args = [
  join(root, "conformance/dist/cli.js"),
  subject(tsZip),
  subject(pythonMirror),
  subject(goZip),
  "--profile",
  join(root, "conformance/profiles/mirror.yaml"),
  ...knownFlag(subject(tsZip), "ts-sdk"),
  ...knownFlag(subject(pythonMirror), "python-sdk"),
  ...knownFlag(subject(goZip), "go-sdk"),
  // Our SDK speaks versions 1 and 2 (§10); eKuiper's SDKs speak 1, the default.
  "--versions",
  `${subject(tsZip)}=1,2`,
  "--junit",
  join(reports, "conformance.xml"),
  "--json",
  join(reports, "conformance.json"),
  ...(existsSync(python) ? ["--python", python] : []),
];
const run = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
console.log("\nOur host, tested by the suite acting as a v1 and a v2 plugin (the host probe):\n");
const hostRun = spawnSync(
  process.execPath,
  [
    join(root, "conformance/dist/cli.js"),
    "host",
    "ours",
    "--junit",
    join(reports, "host-conformance.xml"),
    "--json",
    join(reports, "host-conformance.json"),
  ],
  { cwd: root, stdio: "inherit" },
);
const names = [
  "conformance.xml",
  "conformance.json",
  "host-conformance.xml",
  "host-conformance.json",
];
console.log(`\nReports: ${names.map((n) => rel(join(reports, n))).join(", ")}`);
process.exit(Math.max(run.status ?? 1, hostRun.status ?? 1));
