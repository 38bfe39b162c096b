// The debug server (PROTOCOL.md §7.3) with eKuiper's real Go SDK: the Go
// mirror (examples/go-mirror/build, both SDK builds) started by hand, driven
// with exactly the curl bodies the docs show (docs/host-embedders.md §11):
// no `meta`, so the server's default context applies. Go SDK sources and
// sinks always use instance 0, so that default must be instance 0 for these
// commands to work. The plugin gets a unique name; `echo` and the fixed
// rule1_op1_0 socket paths are taken in turns (claimSocketPath).

import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { DebugServer } from "../src/debug/debug-server.js";
import { tempDir } from "./helpers.js";
import {
  claimSocketPath,
  collectingLogger,
  filesMatching,
  pidAlive,
  uniqueName,
  waitFor,
} from "./runtime-helpers.js";

const BUILD = fileURLToPath(new URL("../../../examples/go-mirror/build/", import.meta.url));
const BUILDS = [
  { sdk: "newest SDK", binary: join(BUILD, "mirror") },
  { sdk: "2023 SDK", binary: join(BUILD, "mirror-2023") },
];
/** The documented bodies (docs/host-embedders.md §11), as a user pastes them. */
const DOCS = {
  source:
    '{"symbolName":"random","pluginType":"source","config":{"interval":500,"pattern":{"count":1}}}',
  sourceStop: '{"symbolName":"random","pluginType":"source"}',
  sink: '{"symbolName":"file","pluginType":"sink","config":{"path":"dbg.jsonl"}}',
  sinkStop: '{"symbolName":"file","pluginType":"sink"}',
  echo: '{"symbolName":"echo","pluginType":"func"}',
};

let server: DebugServer | undefined;
let plugin: ChildProcess | undefined;
const releases: Array<() => Promise<void>> = [];

afterEach(async () => {
  try {
    await server?.close();
    server = undefined;
    const child = plugin;
    plugin = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await waitFor(
        "the plugin to exit",
        () => child.exitCode !== null || child.signalCode !== null,
      );
    }
    expect(pidAlive(child?.pid)).toBe(false);
    expect(await filesMatching("/tmp", ["rule1_op1_0.ipc", "rule1_op1_0_ack.ipc"])).toEqual([]);
  } finally {
    for (const release of releases.splice(0)) await release();
  }
});

async function post(path: string, body: string) {
  const res = await fetch(`${server?.url}${path}`, { method: "POST", body });
  return { status: res.status, text: await res.text() };
}

const OK = { status: 200, text: "ok" };

describe.each(BUILDS)("portable debug with the Go mirror ($sdk) started by hand", ({ binary }) => {
  it("runs the documented curl commands (no meta): source rows, sink file, echo replies", async () => {
    if (!existsSync(binary)) {
      throw new Error(
        `${binary} is missing: the pipeline builds it (examples/go-mirror, needs Go)`,
      );
    }
    releases.push(await claimSocketPath("/tmp/rule1_op1_0.ipc"));
    releases.push(await claimSocketPath("/tmp/func_echo.ipc"));
    const name = uniqueName("godbg");
    const out: string[] = [];
    const logger = collectingLogger();
    server = await DebugServer.start({
      plugin: name,
      port: 0,
      handshakeTimeoutMs: 30_000,
      intervalMs: 100,
      out: (line) => out.push(line),
      logger,
      timeouts: { commandMs: 15_000, callMs: 10_000, ackMs: 10_000 },
    });
    // The developer starts the plugin by hand, in a folder of their own.
    const cwd = await tempDir("pp-dbg-go-");
    const child = spawn(binary, ['{"sendTimeout":1000}'], {
      cwd,
      env: { ...process.env, PORTABLE_PLUGIN_NAME: name },
      stdio: ["ignore", "ignore", "pipe"],
    });
    plugin = child;
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) =>
      logger.debug(`plugin: ${l}`),
    );
    await server.handshake;

    expect(await post("/symbol/start", DOCS.source)).toEqual(OK);
    await waitFor("two tuples", () => out.filter((l) => l === '{"count":1}').length >= 2, 20_000);
    expect(await post("/symbol/stop", DOCS.sourceStop)).toEqual(OK);

    expect(await post("/symbol/start", DOCS.sink)).toEqual(OK);
    await waitFor("two rows sent", () => out.filter((l) => l.startsWith("sent ")).length >= 2);
    const path = join(cwd, "dbg.jsonl");
    // The mirror's sink flushes every second by default.
    await waitFor(
      "the rows in the plugin's file",
      async () => (await readFile(path, "utf8").catch(() => "")).split("\n").length > 2,
      20_000,
    );
    expect((await readFile(path, "utf8")).split("\n").slice(0, 2)).toEqual([
      '{"count":5,"name":"hello"}',
      '{"count":10,"name":"world"}',
    ]);
    expect(await post("/symbol/stop", DOCS.sinkStop)).toEqual(OK);

    expect(await post("/symbol/start", DOCS.echo)).toEqual(OK);
    await waitFor("two replies", () => out.includes('"twelve"') && out.includes('"eleven"'));
    expect(await post("/symbol/stop", DOCS.echo)).toEqual(OK);
  }, 120_000);
});
