// Version negotiation with the real peers (PROTOCOL.md §10.2, §10.5): our
// host offering [1,2] to eKuiper's Go SDK (examples/go-mirror, newest SDK)
// and Python SDK (examples/python-mirror) must be exactly version 1 to them —
// they ignore the key, send the plain `handshake`, the host learns 1 and the
// calls work; our TypeScript mirror (examples/mirror, packed as a user does)
// agrees on 2. The reference SDKs hard-code /tmp/plugin_mirror.ipc and
// /tmp/func_echo.ipc, so each test takes its turn at them (claimSocketPath).

import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packPlugin } from "@portable-plugins/sdk/pack";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { PortableHost, type PortableHostOptions } from "../src/host.js";
import { tempDir } from "./helpers.js";
import {
  claimSocketPath,
  collectingLogger,
  copyPlugin,
  pidAlive,
  uniqueName,
} from "./runtime-helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const GO_ZIP = join(ROOT, "examples", "go-mirror", "build", "mirror.zip");
const PYTHON = join(ROOT, ".venv", "bin", "python");
const PY_MIRROR = join(ROOT, "examples", "python-mirror");
const TS_MIRROR = join(ROOT, "examples", "mirror");
const FUNC_ECHO = "/tmp/func_echo.ipc";

let host: PortableHost | undefined;
const pids: number[] = [];
const releases: Array<() => Promise<void>> = [];

beforeAll(() => {
  for (const needed of [GO_ZIP, PYTHON]) {
    if (!existsSync(needed)) {
      throw new Error(
        `${needed} missing: build the Go mirror and run npm run setup (scripts/setup-peers.sh)`,
      );
    }
  }
});

afterEach(async () => {
  try {
    await host?.close();
    host = undefined;
    for (const pid of pids.splice(0)) expect(pidAlive(pid), `pid ${pid} left running`).toBe(false);
  } finally {
    for (const release of releases.splice(0)) await release();
  }
});

async function newHost(options: Partial<PortableHostOptions> = {}): Promise<PortableHost> {
  host = new PortableHost({
    dataDir: await tempDir("pp-neg-"),
    logger: collectingLogger(),
    timeouts: { initMs: 30_000, commandMs: 30_000, callMs: 15_000 },
    restart: { maxRestarts: 2 },
    ...options,
  });
  return host;
}

/** Opens `echo`, checks the agreed version and the status, and calls it. */
async function echoOnce(h: PortableHost, name: string, version: number): Promise<void> {
  const echo = await h.function("echo");
  const status = h.status(name);
  if (status?.pid !== undefined) pids.push(status.pid);
  expect(status?.status).toBe("running");
  expect(h.info(name)?.protocolVersion).toBe(version);
  if (version === 1) expect(status).not.toHaveProperty("protocolVersion");
  else expect(status?.protocolVersion).toBe(version);
  expect(await echo.exec([{ a: 1, s: "é" }], { ruleId: "rneg", opId: "op1" })).toEqual({
    a: 1,
    s: "é",
  });
}

describe("negotiation with the real SDKs", () => {
  it("eKuiper's Go SDK under a host offering [1,2]: version 1, running, echo works", async () => {
    releases.push(await claimSocketPath("/tmp/plugin_mirror.ipc"));
    releases.push(await claimSocketPath(FUNC_ECHO));
    const h = await newHost();
    await h.install("mirror", `file://${GO_ZIP}`);
    await echoOnce(h, "mirror", 1);
  });

  it("eKuiper's Python SDK under a host offering [1,2]: version 1, running, echo works", async () => {
    releases.push(await claimSocketPath(FUNC_ECHO));
    const name = uniqueName("pyneg");
    const h = await newHost({ pythonBin: PYTHON, env: { PORTABLE_PLUGIN_NAME: name } });
    await h.install(name, await copyPlugin(PY_MIRROR, "mirror", name));
    await echoOnce(h, name, 1);
  });

  it("our TypeScript mirror agrees on 2 under [1,2], and on 1 under a host with v2 off ([1])", async () => {
    const work = await tempDir("pp-neg-ts-");
    const { zip } = await packPlugin({
      dir: TS_MIRROR,
      entry: "src/main.ts",
      out: join(work, "mirror.zip"),
      language: "nodejs",
    });
    for (const [offer, version] of [
      [[1, 2], 2],
      [[1], 1],
    ] as const) {
      const h = await newHost({
        socketDir: await tempDir("pp-neg-sock-"),
        protocolVersions: offer,
      });
      await h.install("mirror", zip);
      await echoOnce(h, "mirror", version);
      await h.close();
      host = undefined;
    }
  }, 120_000);
});
