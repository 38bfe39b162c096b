// vitest globalSetup: builds the mangos (Go) interop peer before any test file
// runs, with peers/mangos/build.sh (scripts/go-env.sh, then `go build` into the
// git-ignored peers/mangos/build/). A failed build does not stop the run here:
// the reason is provided to the tests, and describePeer turns it into a
// failing test in CI and a visible skip elsewhere.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** The built mangos peer, or why it could not be built. */
    mangosPeer: { ok: true; path: string } | { ok: false; reason: string };
  }
}

const script = fileURLToPath(new URL("../peers/mangos/build.sh", import.meta.url));
const binary = fileURLToPath(new URL("../peers/mangos/build/mangos-peer", import.meta.url));

export default function setup(project: TestProject): void {
  const started = Date.now();
  // Generous: a first build on a fresh machine downloads mangos from the module proxy.
  const r = spawnSync("bash", [script], { encoding: "utf8", timeout: 300_000 });
  if (r.error || r.status !== 0 || !existsSync(binary)) {
    const why = r.error?.message ?? `exit ${r.status ?? r.signal}: ${r.stderr.trim().slice(-2000)}`;
    project.provide("mangosPeer", { ok: false, reason: `mangos peer build failed (${why})` });
    return;
  }
  if (Date.now() - started > 5000) console.log(`[interop] built the mangos peer (${binary})`);
  project.provide("mangosPeer", { ok: true, path: binary });
}
