// The TypeScript mirror end to end under our host: packed into a zip as a
// user would (`portable-pack`: a bundled program and a launcher script,
// language "go"), installed into a PortableHost with a private data folder
// and socket folder (the host passes PORTABLE_SOCKET_DIR, which our SDK
// honours), then driven through the host's proxies: source `random`, sink
// `file`, function `echo`, a kill -9 mid-stream, uninstall. The tests share
// one host and run in order; afterwards no process and no socket file is
// left.

import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type HostError,
  type HostLogger,
  PortableHost,
  type SourceRow,
} from "@portable-plugins/host";
import { packPlugin } from "@portable-plugins/sdk/pack";
import { nextWithin, pidAlive, waitFor } from "@portable-plugins/sdk/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const EXAMPLE = fileURLToPath(new URL("..", import.meta.url));

let work: string;
let socketDir: string;
let host: PortableHost;
let zip: string;
const log: string[] = [];
const pids = new Set<number>();

const logger: HostLogger = {
  debug: (m) => log.push(`debug ${m}`),
  info: (m) => log.push(`info ${m}`),
  warn: (m) => log.push(`warn ${m}`),
  error: (m) => log.push(`error ${m}`),
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "mirror-under-host-"));
  socketDir = join(work, "sockets");
  ({ zip } = await packPlugin({
    dir: EXAMPLE,
    entry: "src/main.ts",
    out: join(work, "mirror.zip"),
  }));
  host = new PortableHost({
    dataDir: join(work, "data"),
    socketDir,
    logger,
    // The launcher runs `${PORTABLE_NODE:-node}`: this Node, whatever PATH says.
    env: { PORTABLE_NODE: process.execPath },
    timeouts: { initMs: 30_000, commandMs: 20_000, callMs: 10_000, ackMs: 10_000, sendMs: 10_000 },
    restart: { firstDelayMs: 200, maxDelayMs: 2_000, maxRestarts: 5 },
  });
  await host.install("mirror", zip);
}, 120_000);

afterAll(async () => {
  await host?.close();
  for (const pid of pids) expect(pidAlive(pid), `pid ${pid} left running`).toBe(false);
  const left = await readdir(socketDir).catch(() => [] as string[]);
  expect(left.filter((f) => f.endsWith(".ipc"))).toEqual([]);
  if (process.env["PORTABLE_TEST_LOG"] !== undefined) process.stderr.write(`${log.join("\n")}\n`);
  await rm(work, { recursive: true, force: true });
}, 60_000);

/** The plugin's current pid, remembered for the no-process-left check. */
function pid(): number {
  const p = host.status("mirror")?.pid;
  expect(p).toBeGreaterThan(0);
  pids.add(p as number);
  return p as number;
}

async function rows(it: AsyncIterator<SourceRow>, n: number, ms = 20_000): Promise<SourceRow[]> {
  const out: SourceRow[] = [];
  for (let i = 0; i < n; i++) out.push(await nextWithin(it, ms));
  return out;
}

const fileLines = async (path: string) =>
  (await readFile(path, "utf8").catch(() => "")).split("\n").filter(Boolean);

describe("the TypeScript mirror under our host", () => {
  it("installs the packed zip: a launcher run as language go, lazily started", async () => {
    const plugin = host.registry.find("mirror");
    expect(plugin?.language).toBe("go");
    expect(plugin?.executablePath).toBe(
      join(work, "data", "plugins", "portable", "mirror", "mirror"),
    );
    expect(plugin?.manifest).toMatchObject({
      sources: ["random"],
      sinks: ["file"],
      functions: ["echo"],
    });
    expect(host.status("mirror")).toEqual({ refCount: {}, status: "initializing", errMsg: "" });
  });

  it("reads source random with the default configuration of sources/random.yaml", async () => {
    const src = await host.source("random", { ruleId: "rule1", opId: "default" });
    pid();
    expect(host.status("mirror")).toMatchObject({ status: "running", refCount: { rule1: 1 } });
    // default: interval 1000, seed 1 (no offset), pattern {count: 50}.
    const got = await rows(src[Symbol.asyncIterator](), 2);
    expect(got).toEqual([
      { message: { count: 50 }, meta: null },
      { message: { count: 50 }, meta: null },
    ]);
    await src.close();
    expect(host.status("mirror")?.refCount).toEqual({});
  }, 30_000);

  it("reads source random with the named configuration `spread`, overridden key by key", async () => {
    // spread: seed 10, deduplicate 5; interval and randomSeed from the rule.
    const opts = { confKey: "spread", config: { interval: 30, randomSeed: 7 } };
    const a = await host.source("random", { ruleId: "rule1", opId: "spread" }, opts);
    const b = await host.source("random", { ruleId: "rule1", opId: "spread", instanceId: 1 }, opts);
    const ra = await rows(a[Symbol.asyncIterator](), 10);
    const rb = await rows(b[Symbol.asyncIterator](), 10);
    expect(ra).toEqual(rb); // seeded: reproducible
    const counts = ra.map((r) => r.message["count"] as number);
    for (const [i, c] of counts.entries()) {
      expect(c).toBeGreaterThanOrEqual(50);
      expect(c).toBeLessThan(60);
      expect(counts.slice(Math.max(0, i - 5), i)).not.toContain(c);
    }
    expect(new Set(counts).size).toBeGreaterThan(1);
    await Promise.all([a.close(), b.close()]);
  }, 30_000);

  it("writes rows to sink file, with and without requireAck, and reports a failed write in the ack", async () => {
    const plainPath = join(work, "plain.jsonl");
    const ackedPath = join(work, "acked.jsonl");
    const plain = await host.sink(
      "file",
      { ruleId: "rule2", opId: "plain" },
      { path: plainPath, interval: 100 },
    );
    const acked = await host.sink(
      "file",
      { ruleId: "rule2", opId: "acked" },
      { path: ackedPath, interval: 100, requireAck: true },
    );
    const broken = await host.sink(
      "file",
      { ruleId: "rule2", opId: "broken" },
      { path: join(work, "no-such-folder", "x.jsonl"), requireAck: true },
    );
    expect([plain.requireAck, acked.requireAck]).toEqual([false, true]);
    await plain.write([{ a: 1 }, { a: 2 }]);
    await plain.write({ a: 3 });
    await acked.write([{ b: 1 }]);
    await acked.write({ b: 2, text: "é" });
    // Acked writes are on disk once they resolve.
    expect(await fileLines(ackedPath)).toEqual(['{"b":1}', '{"b":2,"text":"é"}']);
    const err = (await broken.write([{ c: 1 }]).catch((e: unknown) => e)) as HostError;
    expect(err).toMatchObject({
      code: "PORTABLE_E_SINK",
      plugin: "mirror",
      symbol: "file",
      channel: `ipc://${socketDir}/rule2_broken_0_ack.ipc`,
    });
    expect(err.message).toContain("no-such-folder");
    await waitFor("the plain rows in the file", async () =>
      (await fileLines(plainPath)).length === 3 ? true : undefined,
    );
    expect(await fileLines(plainPath)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(host.status("mirror")?.refCount).toEqual({ rule2: 3 });
    await Promise.all([plain.close(), acked.close(), broken.close()]);
  }, 30_000);

  it("calls function echo: validate, exec, isAggregate", async () => {
    const echo = await host.function("echo");
    await echo.validate(["x"]);
    // The signature in functions/echo.json says one argument: the host refuses two itself.
    await expect(echo.validate(["x", "y"])).rejects.toMatchObject({
      code: "PORTABLE_E_TYPE",
      plugin: "mirror",
      symbol: "echo",
      message: "plugin mirror: function echo: arguments: expected 1 argument, got 2",
    });
    expect(await echo.exec(["hello"], { ruleId: "rule3", opId: "op1" })).toBe("hello");
    expect(
      await echo.exec([{ nested: [1, 2.5, "é", null] }], {
        ruleId: "rule3",
        opId: "op1",
        funcId: 2,
      }),
    ).toEqual({
      nested: [1, 2.5, "é", null],
    });
    // Exec is checked too (a rule may skip Validate): no call reaches the plugin.
    await expect(echo.exec([], { ruleId: "rule3", opId: "op1" })).rejects.toMatchObject({
      code: "PORTABLE_E_TYPE",
      message: "plugin mirror: function echo: arguments: expected 1 argument, got 0",
    });
    expect(await echo.isAggregate()).toBe(false);
    await echo.close();
  });

  it("stops an instance: the stop command goes out and its socket files are gone", async () => {
    const src = await host.source(
      "random",
      { ruleId: "rule4", opId: "op1" },
      { config: { interval: 20 } },
    );
    await rows(src[Symbol.asyncIterator](), 2);
    expect((await readdir(socketDir)).filter((f) => f.startsWith("rule4_"))).toEqual([
      "rule4_op1_0.ipc",
    ]);
    await src.close();
    expect((await readdir(socketDir)).filter((f) => f.startsWith("rule4_"))).toEqual([]);
    expect(src.closed).toBe(true);
    expect(await src.next()).toEqual({ done: true, value: undefined });
  });

  it("recovers from kill -9 mid-stream: restart, replay, data flows again, echo answers again", async () => {
    const src = await host.source(
      "random",
      { ruleId: "rule5", opId: "src" },
      { config: { interval: 20 } },
    );
    const outPath = join(work, "kill.jsonl");
    const sink = await host.sink(
      "file",
      { ruleId: "rule5", opId: "sink" },
      { path: outPath, interval: 100, requireAck: true },
    );
    const echo = await host.function("echo");
    const it = src[Symbol.asyncIterator]();
    await rows(it, 3);
    await sink.write({ before: true });
    expect(await echo.exec(["before"], { ruleId: "rule5", opId: "f" })).toBe("before");
    const first = pid();
    const restartsBefore = host.info("mirror")?.restarts ?? 0;

    process.kill(first, "SIGKILL");
    await waitFor("the plugin to exit", () => !pidAlive(first));
    const second = await waitFor(
      "a new process",
      () => {
        const s = host.status("mirror");
        return s?.status === "running" && s.pid !== undefined && s.pid !== first
          ? s.pid
          : undefined;
      },
      30_000,
    );
    pids.add(second);
    expect(host.info("mirror")?.restarts).toBe(restartsBefore + 1);
    expect(log.some((l) => l.includes("exited: signal: killed"))).toBe(true);
    expect(log.some((l) => l.includes("replaying 3 start command(s)"))).toBe(true);

    // The source resumes on the same channel (rows of the gap are lost, §8.2).
    expect((await rows(it, 3, 30_000)).map((r) => r.message)).toEqual([
      { count: 50 },
      { count: 50 },
      { count: 50 },
    ]);
    expect(
      await waitFor("echo to answer again", () =>
        echo.exec(["after"], { ruleId: "rule5", opId: "f" }),
      ),
    ).toBe("after");
    await waitFor("the sink to take an acked write again", () =>
      sink.write({ after: true }).then(() => true),
    );
    expect(await fileLines(outPath)).toContain('{"after":true}');
    expect(await fileLines(outPath)).toContain('{"before":true}');
    expect(host.status("mirror")).toMatchObject({
      status: "running",
      pid: second,
      refCount: { rule5: 2 },
    });
    await Promise.all([src.close(), sink.close(), echo.close()]);
  }, 90_000);

  it("uninstalls (refused while in use): the process stops and no socket file is left", async () => {
    const src = await host.source(
      "random",
      { ruleId: "rule6", opId: "op1" },
      { config: { interval: 20 } },
    );
    const last = pid();
    await expect(host.uninstall("mirror")).rejects.toMatchObject({
      code: "PORTABLE_E_CONFLICT",
      plugin: "mirror",
    });
    await src.close();
    await host.uninstall("mirror");
    expect(pidAlive(last)).toBe(false);
    expect(host.status("mirror")).toBeUndefined();
    expect(host.registry.find("mirror")).toBeUndefined();
    expect((await readdir(socketDir)).filter((f) => f.endsWith(".ipc"))).toEqual([]);
    await expect(host.source("random", { ruleId: "rule6", opId: "op2" })).rejects.toMatchObject({
      code: "PORTABLE_E_NOT_FOUND",
    });
  }, 30_000);
});
