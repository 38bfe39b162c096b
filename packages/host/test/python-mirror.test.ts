// End to end with eKuiper's real Python SDK: examples/python-mirror run by
// the venv's python (scripts/setup-peers.sh), installed under a name unique
// to this file. The SDK hard-codes /tmp for its sockets and keys the function
// channel by symbol alone (/tmp/func_echo.ipc), so every test that uses
// `echo` is in this file, and the tests run one after the other.

import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HostError } from "../src/errors.js";
import { PortableHost, type PortableHostOptions } from "../src/host.js";
import { tempDir } from "./helpers.js";
import {
  type CollectingLogger,
  claimSocketPath,
  collectingLogger,
  copyPlugin,
  filesMatching,
  killAndAwaitRestart,
  nextWithin,
  pidAlive,
  takeWithin,
  uniqueName,
  waitFor,
} from "./runtime-helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PYTHON = join(ROOT, ".venv", "bin", "python");
const EXAMPLE = join(ROOT, "examples", "python-mirror");
const NAME = uniqueName("pymirror");
/** Rule ids start with this, so the socket files of this file are recognizable in /tmp. */
const RULE = `r${process.pid}`;
/** Shared by every plugin with a function `echo` on this machine (the conformance suite's too). */
const FUNC_ECHO = "/tmp/func_echo.ipc";
/** The inode of the func_echo.ipc our host created, to tell it from another host's. */
let echoInode: number | undefined;
/** Ends our turn at FUNC_ECHO (claimSocketPath). */
let releaseEcho: (() => Promise<void>) | undefined;

let host: PortableHost | undefined;
let logger: CollectingLogger;
let pluginDir: string;
const pids = new Set<number>();

beforeAll(() => {
  if (!existsSync(PYTHON))
    throw new Error(`${PYTHON} is missing: run npm run setup (scripts/setup-peers.sh)`);
});

afterEach(async () => {
  await host?.close();
  host = undefined;
  for (const pid of pids) expect(pidAlive(pid), `pid ${pid} left running`).toBe(false);
  pids.clear();
  expect(await filesMatching("/tmp", [`plugin_${NAME}.ipc`, `${RULE}_`])).toEqual([]);
  if (echoInode !== undefined) {
    const now = await stat(FUNC_ECHO).then(
      (s) => s.ino,
      () => undefined,
    );
    expect(now, `${FUNC_ECHO} left behind`).not.toBe(echoInode);
    echoInode = undefined;
  }
  await releaseEcho?.();
  releaseEcho = undefined;
});

/**
 * Waits for our turn at /tmp/func_echo.ipc (other test files, or another host
 * on the machine such as the conformance suite, may use it), then opens `echo`.
 */
async function openEcho(h: PortableHost) {
  releaseEcho = await claimSocketPath(FUNC_ECHO);
  const echo = await h.function("echo");
  echoInode = (await stat(FUNC_ECHO)).ino;
  return echo;
}

async function setup(options: Partial<PortableHostOptions> = {}) {
  logger = collectingLogger();
  pluginDir = await copyPlugin(EXAMPLE, "mirror", NAME);
  host = new PortableHost({
    dataDir: await tempDir("pp-py-"),
    pythonBin: PYTHON,
    logger,
    env: { PORTABLE_PLUGIN_NAME: NAME },
    timeouts: { initMs: 30_000, commandMs: 30_000, callMs: 15_000, ackMs: 10_000, sendMs: 10_000 },
    restart: { firstDelayMs: 200, maxDelayMs: 2_000, maxRestarts: 5, resetAfterMs: 60_000 },
    ...options,
  });
  await host.install(NAME, pluginDir);
  return host;
}

/** The current pid, remembered for the no-process-left check. */
function pidOf(h: PortableHost): number {
  const pid = h.status(NAME)?.pid;
  expect(pid).toBeGreaterThan(0);
  pids.add(pid as number);
  return pid as number;
}

describe("host with the real Python SDK (examples/python-mirror)", () => {
  it("installs from a folder, starts lazily and handshakes", async () => {
    const h = await setup();
    expect(h.status(NAME)).toEqual({ refCount: {}, status: "initializing", errMsg: "" });
    const src = await h.source(
      "random",
      { ruleId: `${RULE}_hs`, opId: "op1" },
      { config: { interval: 50 } },
    );
    pidOf(h);
    const info = h.info(NAME);
    expect(info).toMatchObject({ phase: "running", restarts: 0 });
    logger.info(`python handshake after ${info?.handshakeMs} ms`);
    process.stderr.write(`[measured] python-mirror spawn to handshake: ${info?.handshakeMs} ms\n`);
    expect(h.status(NAME)?.refCount).toEqual({ [`${RULE}_hs`]: 1 });
    await src.close();
  });

  it("reads source `random` with its YAML configuration and a fixed randomSeed, reproducibly", async () => {
    const h = await setup();
    // `spread`: seed 10, deduplicate 5, pattern {count: 50}; randomSeed makes it reproducible.
    const opts = { confKey: "spread", config: { interval: 50, randomSeed: 7 }, dataSource: "demo" };
    const a = await h.source("random", { ruleId: `${RULE}_src`, opId: "op1" }, opts);
    const b = await h.source("random", { ruleId: `${RULE}_src`, opId: "op1", instanceId: 1 }, opts);
    pidOf(h);
    const ra = await takeWithin(a[Symbol.asyncIterator](), 8);
    const rb = await takeWithin(b[Symbol.asyncIterator](), 8);
    expect(ra).toEqual(rb);
    for (const r of ra) {
      expect(r.meta).toBeNull();
      expect(r.message["count"]).toBeGreaterThanOrEqual(50);
      expect(r.message["count"]).toBeLessThan(60);
    }
    // deduplicate 5: no value repeats one of the 5 before it.
    const counts = ra.map((r) => r.message["count"]);
    for (const [i, c] of counts.entries()) {
      expect(counts.slice(Math.max(0, i - 5), i)).not.toContain(c);
    }
    expect(h.status(NAME)?.refCount).toEqual({ [`${RULE}_src`]: 2 });
    await Promise.all([a.close(), b.close()]);
  });

  it("writes rows to sink `file`, with and without requireAck, and reports an error ack", async () => {
    const h = await setup();
    const dir = await tempDir("pp-py-sink-");
    const plainPath = join(dir, "plain.jsonl");
    const ackedPath = join(dir, "acked.jsonl");
    const plain = await h.sink(
      "file",
      { ruleId: `${RULE}_sink`, opId: "plain" },
      { path: plainPath, interval: 100 },
    );
    const acked = await h.sink(
      "file",
      { ruleId: `${RULE}_sink`, opId: "acked" },
      { path: ackedPath, interval: 100, requireAck: true },
    );
    const broken = await h.sink(
      "file",
      { ruleId: `${RULE}_sink`, opId: "broken" },
      { path: "/nonexistent-portable-test/x.jsonl", requireAck: true },
    );
    pidOf(h);
    await plain.write([{ a: 1 }, { a: 2 }]);
    await acked.write([{ b: 1 }]);
    await acked.write({ b: 2 });
    const err = (await broken.write([{ c: 1 }]).catch((e: unknown) => e)) as HostError;
    expect(err).toMatchObject({
      code: "PORTABLE_E_SINK",
      plugin: NAME,
      symbol: "file",
      channel: `ipc:///tmp/${RULE}_sink_broken_0_ack.ipc`,
    });
    expect(err.message).toContain("cannot open /nonexistent-portable-test/x.jsonl");
    await waitFor("the plain rows in the file", async () =>
      (await readFile(plainPath, "utf8").catch(() => "")) === '{"a":1}\n{"a":2}\n'
        ? true
        : undefined,
    );
    await waitFor("the acked rows in the file", async () =>
      (await readFile(ackedPath, "utf8").catch(() => "")) === '{"b":1}\n{"b":2}\n'
        ? true
        : undefined,
    );
    await Promise.all([plain.close(), acked.close(), broken.close()]);
  });

  it("calls function `echo`: validate, exec, isAggregate, also after the channels idled past the keepalive", async () => {
    const h = await setup();
    const echo = await openEcho(h);
    pidOf(h);
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
    ).toEqual({
      nested: [1, 2.5, "é"],
    });
    expect(await echo.isAggregate()).toBe(false);
    // The Python SDK sends a keepalive handshake every 5 s on both channels:
    // after 7 s idle, the host's next call and command meet it (first-byte rule).
    await new Promise((r) => setTimeout(r, 7_000));
    expect(await echo.exec(["again"], { ruleId: "rule1", opId: "op1" })).toBe("again");
    expect(h.info(NAME)?.keepaliveResends).toBeGreaterThan(0);
    const src = await h.source(
      "random",
      { ruleId: `${RULE}_idle`, opId: "op1" },
      { config: { interval: 50 } },
    );
    expect((await nextWithin(src[Symbol.asyncIterator](), 20_000)).message).toEqual({ count: 50 });
    await Promise.all([src.close(), echo.close()]);
  }, 180_000);

  it("recovers from kill -9 mid-stream: restarts, replays, the source resumes and the function answers again", async () => {
    const h = await setup();
    const dir = await tempDir("pp-py-kill-");
    const src = await h.source(
      "random",
      { ruleId: `${RULE}_kill`, opId: "src" },
      { config: { interval: 50 } },
    );
    const sink = await h.sink(
      "file",
      { ruleId: `${RULE}_kill`, opId: "sink" },
      { path: join(dir, "out.jsonl"), interval: 100, requireAck: true },
    );
    const echo = await openEcho(h);
    const it = src[Symbol.asyncIterator]();
    await takeWithin(it, 3);
    await sink.write([{ before: true }]);
    expect(await echo.exec(["before"], { ruleId: "r", opId: "o" })).toBe("before");
    const first = pidOf(h);

    const restarted = await killAndAwaitRestart(h, NAME, first);
    pids.add(restarted);
    expect(h.info(NAME)?.restarts).toBe(1);
    expect(logger.lines.some((l) => l.includes("exited: signal: killed"))).toBe(true);
    expect(logger.lines.some((l) => l.includes("replaying 3 start command(s)"))).toBe(true);

    // The source resumes on the same channel; rows lost in the gap are not replayed (§8.2).
    const after = await takeWithin(it, 3, 30_000);
    expect(after.every((r) => r.message["count"] === 50)).toBe(true);
    expect(
      await waitFor("echo to answer again", () => echo.exec(["after"], { ruleId: "r", opId: "o" })),
    ).toBe("after");
    await waitFor("the sink to take a write again", () =>
      sink.write([{ after: true }]).then(() => true),
    );
    expect(h.status(NAME)?.refCount).toEqual({ [`${RULE}_kill`]: 2 });
    await Promise.all([src.close(), sink.close(), echo.close()]);
  }, 210_000);

  it("restarts on update and replays what was running", async () => {
    const h = await setup();
    const src = await h.source(
      "random",
      { ruleId: `${RULE}_upd`, opId: "op1" },
      { config: { interval: 50 } },
    );
    const it = src[Symbol.asyncIterator]();
    await takeWithin(it, 2);
    const before = pidOf(h);
    await h.update(NAME, pluginDir);
    expect(pidAlive(before)).toBe(false);
    const after = pidOf(h);
    expect(after).not.toBe(before);
    expect((await takeWithin(it, 2, 30_000)).map((r) => r.message)).toEqual([
      { count: 50 },
      { count: 50 },
    ]);
    await src.close();
  }, 60_000);

  it("stops the process on uninstall (refused while in use), leaving no process and no socket file", async () => {
    const h = await setup();
    const src = await h.source(
      "random",
      { ruleId: `${RULE}_rm`, opId: "op1" },
      { config: { interval: 50 } },
    );
    const pid = pidOf(h);
    await expect(h.uninstall(NAME)).rejects.toMatchObject({
      code: "PORTABLE_E_CONFLICT",
      plugin: NAME,
    });
    await src.close();
    await h.uninstall(NAME);
    expect(pidAlive(pid)).toBe(false);
    expect(h.status(NAME)).toBeUndefined();
    expect(await filesMatching("/tmp", [`plugin_${NAME}.ipc`, `${RULE}_`])).toEqual([]);
  });

  it("a second copy calling itself by the running mirror's name is refused, and its status says so", async () => {
    const h = await setup({ timeouts: { initMs: 20_000 } });
    const src = await h.source(
      "random",
      { ruleId: `${RULE}_own`, opId: "op1" },
      { config: { interval: 50 } },
    );
    const it = src[Symbol.asyncIterator]();
    await takeWithin(it, 1);
    const ownerPid = pidOf(h);
    // The impostor: the same program (PORTABLE_PLUGIN_NAME is NAME for every
    // plugin of this host) installed under another name, with other symbols.
    const impostor = uniqueName("pyimp");
    const dir = await copyPlugin(EXAMPLE, "mirror", impostor);
    const manifest = JSON.parse(await readFile(join(dir, `${impostor}.json`), "utf8"));
    await writeFile(
      join(dir, `${impostor}.json`),
      JSON.stringify({ ...manifest, sources: ["pyimpsrc"], sinks: [], functions: [] }),
    );
    await writeFile(join(dir, "sources", "pyimpsrc.yaml"), "default: {}\n");
    await h.install(impostor, dir);
    const err = await h
      .source("pyimpsrc", { ruleId: `${RULE}_imp`, opId: "op1" })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ plugin: impostor });
    expect(
      logger.lines.some((l) =>
        l.includes(
          `plugin ${NAME}: refused a second connection to control channel ipc:///tmp/plugin_${NAME}.ipc`,
        ),
      ),
    ).toBe(true);
    expect(h.status(impostor)?.errMsg).toContain(`probably calls itself "${NAME}"`);
    // The owner is undisturbed.
    expect(h.status(NAME)).toMatchObject({ status: "running", pid: ownerPid });
    await takeWithin(it, 2);
    await src.close();
  });
});
