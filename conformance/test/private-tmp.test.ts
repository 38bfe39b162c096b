// The fixed socket names of the reference SDKs (/tmp/plugin_<name>.ipc) must
// not stop a run because someone else on the machine serves the same name:
// the CLI runs in a private /tmp where it can, and where it cannot (or is told
// --shared-tmp) it names the holder of the path (pid and command).

import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapToOuterTmp, probePrivateTmp } from "../src/private-tmp.js";
import { socketHolders } from "../src/socket-holder.js";
import { BROKEN, CLI, HAS_PYTHON, PYTHON } from "./paths.js";

const PATH = "/tmp/plugin_brk_none.ipc";
let holder: Server;

beforeAll(async () => {
  // Never removes a file at PATH (it could be a live socket of someone else): run in a private /tmp.
  holder = createServer();
  await new Promise<void>((r) => holder.listen(PATH, r));
});
afterAll(async () => {
  await new Promise((r) => holder.close(r));
});

function cli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  subject = `${BROKEN}brk_none.json`,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(
    process.execPath,
    [CLI, subject, "--only", "control/handshake", "--python", PYTHON, ...args],
    { env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout.on("data", (d: Buffer) => {
    out += d.toString();
  });
  child.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, out })));
}

const holderText = new RegExp(
  `${PATH.replace(/[./]/g, "\\$&")} is live: .*held by pid ${process.pid} \\(\\S*node`,
);

describe("who holds a socket path", () => {
  it("names this process, in this mount namespace, from /proc", async () => {
    const holders = await socketHolders(PATH);
    expect(holders).toContainEqual(
      expect.objectContaining({ pid: process.pid, sameMountNamespace: true }),
    );
  });

  it("maps /tmp arguments to the machine's /tmp inside the private one", () => {
    expect(mapToOuterTmp("/tmp/x/p.zip")).toBe("/tmp/.outer-tmp/x/p.zip");
    expect(mapToOuterTmp("p.zip=/tmp/k.txt")).toBe("p.zip=/tmp/.outer-tmp/k.txt");
    expect(mapToOuterTmp("/tmpfoo/a")).toBe("/tmpfoo/a");
    expect(mapToOuterTmp("/srv/plugins/a.zip")).toBe("/srv/plugins/a.zip");
  });
});

describe.skipIf(!HAS_PYTHON)("a run beside another user's plugin of the same name", () => {
  const probe = probePrivateTmp();

  it.skipIf(!probe.ok && !process.env["CI"])(
    "runs in a private /tmp and is not disturbed",
    async () => {
      // In CI the namespace must be possible (root or user namespaces): say why not.
      expect(probe).toEqual({ ok: true });
      // A subject under the machine's /tmp is reachable inside, and reported by its own path.
      const copy = mkdtempSync("/tmp/conformance-subject-");
      cpSync(BROKEN, copy, { recursive: true });
      try {
        const { code, out } = await cli([], process.env, `${copy}/brk_none.json`);
        expect(out).toMatch(/running in a private \/tmp \(mount namespace\)/);
        expect(out).toMatch(/\| control\/handshake \| pass\s+\|/);
        expect(out).toContain(
          `${copy}/brk_none.json (plugin brk_none, versions 1 (detected from its handshake))`,
        );
        expect(out).not.toContain(".outer-tmp");
        expect(code, out).toBe(0);
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
  );

  it("with --shared-tmp, stops with a harness error naming the holder", async () => {
    const { code, out } = await cli(["--shared-tmp"]);
    expect(out).toMatch(holderText);
    expect(out).toMatch(/PORTABLE_E_CONF_IN_USE/);
    expect(code).toBe(2);
  });

  it("where no namespace can be made, says so and names the holder", async () => {
    // No `unshare` on PATH: the OS-does-not-allow-it path.
    const { code, out } = await cli(["-q"], { ...process.env, PATH: dirname(PYTHON) });
    expect(out).toMatch(
      /no private \/tmp here \(unshare: .*ENOENT\); running in the machine's \/tmp/,
    );
    expect(out).toMatch(holderText);
    expect(code).toBe(2);
  });
});
