// End to end with eKuiper's real Go SDK: examples/go-mirror as built and
// packed by its build.sh (the turbo `build` task), installed from its zip
// through the host's registry, once per SDK build (the newest SDK and the 2023
// one eKuiper's own example pins). The zip names the plugin `mirror`, so its
// control channel is /tmp/plugin_mirror.ipc, and `echo` is served on
// /tmp/func_echo.ipc: both are shared by every copy of such a plugin on the
// machine, so each test takes its turn at them (claimSocketPath).
// Go SDK sources and sinks use instance 0 whatever the start command says,
// and its sinks never ack: the rules here use instance 0 and no requireAck.

import { existsSync } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { PortableHost } from "../src/host.js";
import { LOCK_FILE } from "../src/install/data-lock.js";
import type { SourceProxy } from "../src/run/proxies/source.js";
import { tempDir } from "./helpers.js";
import {
  type CollectingLogger,
  claimSocketPath,
  collectingLogger,
  filesMatching,
  killAndAwaitRestart,
  pidAlive,
  takeWithin,
  waitFor,
} from "./runtime-helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BUILD = join(ROOT, "examples", "go-mirror", "build");
const NAME = "mirror";
const CONTROL = `/tmp/plugin_${NAME}.ipc`;
const FUNC_ECHO = "/tmp/func_echo.ipc";
/** Rule ids start with this, so the socket files of this file are recognizable in /tmp. */
const RULE = `g${process.pid}`;

const BUILDS = [
  { sdk: "newest SDK (0014e7fab0dd)", zip: join(BUILD, "mirror.zip") },
  { sdk: "2023 SDK (a650d6d53ecb)", zip: join(BUILD, "mirror-2023.zip") },
];

let host: PortableHost | undefined;
let logger: CollectingLogger;
let pluginsDir: string;
const pids = new Set<number>();
const releases: Array<() => Promise<void>> = [];

beforeAll(() => {
  const missing = BUILDS.filter((b) => !existsSync(b.zip)).map((b) => b.zip);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(", ")} missing: the Go mirror is built by the pipeline ` +
        "(npx turbo run build --filter=@portable-plugins/example-go-mirror, which needs Go)",
    );
  }
});

afterEach(async () => {
  try {
    await host?.close();
    host = undefined;
    for (const pid of pids) expect(pidAlive(pid), `pid ${pid} left running`).toBe(false);
    pids.clear();
    expect(await filesMatching("/tmp", [`plugin_${NAME}.ipc`, `${RULE}_`])).toEqual([]);
  } finally {
    for (const release of releases.splice(0)) await release();
  }
});

/** A host with the zip installed through its registry, in our turn at the mirror's fixed sockets. */
async function setup(zip: string): Promise<PortableHost> {
  releases.push(await claimSocketPath(CONTROL));
  releases.push(await claimSocketPath(FUNC_ECHO));
  logger = collectingLogger();
  const dataDir = await tempDir("pp-go-");
  host = new PortableHost({
    dataDir,
    logger,
    timeouts: { initMs: 30_000, commandMs: 30_000, callMs: 15_000, ackMs: 10_000, sendMs: 10_000 },
    restart: { firstDelayMs: 200, maxDelayMs: 2_000, maxRestarts: 5, resetAfterMs: 60_000 },
  });
  const plugin = await host.install(NAME, `file://${zip}`);
  pluginsDir = join(plugin.dir, "..");
  return host;
}

/** The current pid, remembered for the no-process-left check. */
function pidOf(h: PortableHost): number {
  const pid = h.status(NAME)?.pid;
  expect(pid).toBeGreaterThan(0);
  pids.add(pid as number);
  return pid as number;
}

const fileHas = (path: string, text: string) => async () =>
  (await readFile(path, "utf8").catch(() => "")).includes(text) ? true : undefined;

function source(h: PortableHost, op: string): Promise<SourceProxy> {
  return h.source("random", { ruleId: `${RULE}_${op}`, opId: "src" }, { config: { interval: 50 } });
}

describe.each(BUILDS)("host with the real Go SDK, $sdk (examples/go-mirror)", ({ zip }) => {
  it("installs from the zip, streams source rows, writes sink rows, answers echo", async () => {
    const h = await setup(zip);
    const dir = join(pluginsDir, NAME);
    expect((await readdir(dir)).sort()).toEqual([
      "functions",
      "mirror",
      "mirror.json",
      "sinks",
      "sources",
    ]);
    expect((await stat(join(dir, "mirror"))).mode & 0o777).toBe(0o755);

    const src = await source(h, "io");
    pidOf(h);
    expect(h.info(NAME)).toMatchObject({ phase: "running", restarts: 0 });
    process.stderr.write(
      `[measured] go-mirror spawn to handshake: ${h.info(NAME)?.handshakeMs} ms\n`,
    );
    // sources/random.yaml `default`: pattern {count: 50}, seed 1: always 50.
    const got = await takeWithin(src[Symbol.asyncIterator](), 3);
    expect(got.map((r) => r.message)).toEqual([{ count: 50 }, { count: 50 }, { count: 50 }]);

    const out = join(await tempDir("pp-go-sink-"), "out.jsonl");
    const sink = await h.sink(
      "file",
      { ruleId: `${RULE}_io`, opId: "sink" },
      { path: out, interval: 100 },
    );
    await sink.write([{ a: 1 }, { a: 2 }]);
    await sink.write({ b: "é" });
    await waitFor("the rows in the file", async () =>
      (await readFile(out, "utf8").catch(() => "")) === '{"a":1}\n{"a":2}\n{"b":"é"}\n'
        ? true
        : undefined,
    );

    const echo = await h.function("echo");
    await echo.validate(["x"]);
    // functions/echo.json declares one parameter (§6.4.1): the host refuses two itself.
    await expect(echo.validate(["x", "y"])).rejects.toMatchObject({
      code: "PORTABLE_E_TYPE",
      plugin: NAME,
      symbol: "echo",
      message: `plugin ${NAME}: function echo: arguments: expected 1 argument, got 2`,
    });
    expect(await echo.exec(["hello"], { ruleId: "rule1", opId: "op1" })).toBe("hello");
    expect(
      await echo.exec([{ nested: [1, 2.5, "é"] }], { ruleId: "rule1", opId: "op1", funcId: 1 }),
    ).toEqual({ nested: [1, 2.5, "é"] });
    expect(await echo.isAggregate()).toBe(false);
    expect(h.status(NAME)?.refCount).toEqual({ [`${RULE}_io`]: 2 });
    await Promise.all([src.close(), sink.close(), echo.close()]);
  }, 120_000);

  it("recovers from kill -9: restarts and replays every symbol; source, sink and echo work again", async () => {
    const h = await setup(zip);
    const out = join(await tempDir("pp-go-kill-"), "out.jsonl");
    const src = await source(h, "kill");
    const sink = await h.sink(
      "file",
      { ruleId: `${RULE}_kill`, opId: "sink" },
      { path: out, interval: 100 },
    );
    const echo = await h.function("echo");
    const it = src[Symbol.asyncIterator]();
    await takeWithin(it, 3);
    await sink.write([{ before: true }]);
    await waitFor("the row before the kill", fileHas(out, '{"before":true}\n'));
    expect(await echo.exec(["before"], { ruleId: "r", opId: "o" })).toBe("before");
    const first = pidOf(h);

    const restarted = await killAndAwaitRestart(h, NAME, first);
    pids.add(restarted);
    expect(h.info(NAME)?.restarts).toBe(1);
    expect(logger.lines.some((l) => l.includes("exited: signal: killed"))).toBe(true);
    expect(logger.lines.some((l) => l.includes("replaying 3 start command(s)"))).toBe(true);

    // The source resumes on the same channel; rows lost in the gap are not replayed (§8.2).
    const after = await takeWithin(it, 3, 30_000);
    expect(after.map((r) => r.message)).toEqual([{ count: 50 }, { count: 50 }, { count: 50 }]);
    expect(
      await waitFor("echo to answer again", () => echo.exec(["after"], { ruleId: "r", opId: "o" })),
    ).toBe("after");
    // Without acks a write is done when the message is sent: the file proves the replayed sink runs.
    await sink.write([{ after: true }]);
    await waitFor("the row after the restart", fileHas(out, '{"after":true}\n'), 30_000);
    expect(h.status(NAME)?.refCount).toEqual({ [`${RULE}_kill`]: 2 });
    await Promise.all([src.close(), sink.close(), echo.close()]);
  }, 180_000);

  it("uninstalls (refused while in use), leaving no process, no socket file and no plugin folder", async () => {
    const h = await setup(zip);
    const src = await source(h, "rm");
    const echo = await h.function("echo");
    expect(await echo.exec([1], { ruleId: "r", opId: "o" })).toBe(1);
    const pid = pidOf(h);
    await expect(h.uninstall(NAME)).rejects.toMatchObject({
      code: "PORTABLE_E_CONFLICT",
      plugin: NAME,
    });
    await Promise.all([src.close(), echo.close()]);
    await h.uninstall(NAME);
    expect(pidAlive(pid)).toBe(false);
    expect(h.status(NAME)).toBeUndefined();
    expect(await filesMatching("/tmp", [`plugin_${NAME}.ipc`, `${RULE}_`])).toEqual([]);
    expect(existsSync(FUNC_ECHO)).toBe(false);
    // Only the host's own lock file (one host per data folder) stays while it runs.
    expect(await readdir(pluginsDir)).toEqual([LOCK_FILE]);
  }, 120_000);
});
