// The supervisor and the proxies against real processes on our TypeScript
// SDK (test/fixtures/ts-plugin): the paths a well-behaved Python plugin
// cannot show (no handshake, instant exit, garbage answers, crash loops), and
// the basics of every proxy. Each test has its own host, plugin name and
// socket folder, and leaves no process and no socket file behind.

import { describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { PortableHost, type PortableHostOptions } from "../src/host.js";
import { tempDir } from "./helpers.js";
import {
  copyPlugin,
  filesMatching,
  nextWithin,
  pidAlive,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
  useRuntimeSandbox,
  waitFor,
} from "./runtime-helpers.js";

const FIXTURE = TS_FIXTURE_DIR;

type Mode = "normal" | "silent" | "exit" | "garbage" | "crash" | "noack" | "deadfunc";

let host: PortableHost | undefined;
const pids: number[] = [];
const run = useRuntimeSandbox({
  teardown: async () => {
    await host?.close();
    host = undefined;
  },
  pids: () => pids.splice(0),
});

/** A host with the fixture installed as a fresh plugin running in `mode`. */
async function setup(mode: Mode, options: Partial<PortableHostOptions> = {}) {
  const name = uniqueName("tsfx");
  host = new PortableHost({
    dataDir: await tempDir("pp-data-"),
    socketDir: run.socketDir,
    logger: run.logger,
    env: {
      FIXTURE_MODE: mode,
      ...TS_FIXTURE_ENV,
      PORTABLE_PLUGIN_NAME: name,
    },
    timeouts: {
      initMs: 15_000,
      commandMs: 15_000,
      callMs: 10_000,
      stopGraceMs: 2_000,
      ...options.timeouts,
    },
    ...options,
  });
  await host.install(name, await copyPlugin(FIXTURE, "tsfixture", name));
  return { host, name };
}

function track(pid: number | undefined) {
  if (pid !== undefined) pids.push(pid);
}

describe("supervisor with a TypeScript SDK plugin", () => {
  it("starts the process lazily on first use and reports it running with its pid", async () => {
    const { host, name } = await setup("normal");
    expect(host.status(name)).toEqual({ refCount: {}, status: "initializing", errMsg: "" });
    const fn = await host.function("tsecho");
    const status = host.status(name);
    expect(status).toMatchObject({ status: "running", errMsg: "" });
    expect(status?.pid).toBeGreaterThan(0);
    track(status?.pid);
    expect(await fn.exec(["hi"], { ruleId: "r1", opId: "op1" })).toBe("hi");
    expect(await fn.isAggregate()).toBe(false);
    await expect(fn.validate(["a", "b"])).rejects.toMatchObject({
      code: "PORTABLE_E_FUNCTION",
      plugin: name,
      symbol: "tsecho",
      channel: `ipc://${run.socketDir}/func_tsecho.ipc`,
    });
    await fn.validate(["a"]);
    expect(host.info(name)).toMatchObject({ phase: "running", restarts: 0 });
  });

  it("reads rows of several instances of one source, each on its own channel, with refCounts per rule", async () => {
    const { host, name } = await setup("normal");
    const errors: HostError[] = [];
    const a = await host.source(
      "counter",
      { ruleId: "ra", opId: "op1" },
      { onError: (e) => errors.push(e) },
    );
    const b = await host.source("counter", { ruleId: "rb", opId: "op1", instanceId: 1 });
    const c = await host.source("counter", { ruleId: "rb", opId: "op2" });
    track(host.status(name)?.pid);
    expect(host.status(name)?.refCount).toEqual({ ra: 1, rb: 2 });
    const ia = a[Symbol.asyncIterator]();
    const ib = b[Symbol.asyncIterator]();
    expect(await nextWithin(ia, 10_000)).toEqual({
      message: { n: 0 },
      meta: { source: "counter" },
    });
    expect((await nextWithin(ib, 10_000)).message).toEqual({ n: 0 });
    for (let i = 1; i < 5; i++) expect((await nextWithin(ia, 10_000)).message).toEqual({ n: i });
    // The plugin's error item did not end the instance; it went to onError.
    expect(errors.map((e) => [e.code, e.symbol, e.channel])).toEqual([
      ["PORTABLE_E_SOURCE", "counter", `ipc://${run.socketDir}/ra_op1_0.ipc`],
    ]);
    expect(errors[0]?.message).toMatch(/counter: a test error after 3 rows/);
    await a.close();
    expect(await a.next()).toEqual({ done: true, value: undefined });
    expect(host.status(name)?.refCount).toEqual({ rb: 2 });
    await Promise.all([b.close(), c.close()]);
    expect(host.status(name)?.refCount).toEqual({});
  });

  it("refuses a second open of the same instance key", async () => {
    const { host } = await setup("normal");
    const a = await host.source("counter", { ruleId: "dup", opId: "op1" });
    track(host.status(a.plugin)?.pid);
    await expect(host.source("counter", { ruleId: "dup", opId: "op1" })).rejects.toMatchObject({
      code: "PORTABLE_E_CONFLICT",
    });
    await expect(host.sink("collect", { ruleId: "dup", opId: "op1" })).rejects.toMatchObject({
      code: "PORTABLE_E_CONFLICT",
    });
  });

  it("writes to a sink, waits for acks when requireAck is true, and reports an error ack", async () => {
    const { host, name } = await setup("normal");
    const plain = await host.sink("collect", { ruleId: "rs", opId: "out" });
    const acked = await host.sink("collect", { ruleId: "rs", opId: "out2" }, { requireAck: true });
    track(host.status(name)?.pid);
    expect(acked.requireAck).toBe(true);
    await plain.write([{ a: 1 }]);
    await acked.write([{ a: 1 }, { b: 2 }]);
    await acked.write({ single: true });
    await expect(acked.write([{ fail: true }])).rejects.toMatchObject({
      code: "PORTABLE_E_SINK",
      plugin: name,
      symbol: "collect",
      channel: `ipc://${run.socketDir}/rs_out2_0_ack.ipc`,
    });
    await acked.write([{ after: "error" }]);
    await Promise.all([plain.close(), acked.close()]);
    await expect(acked.write([{ late: 1 }])).rejects.toMatchObject({ code: "PORTABLE_E_CLOSED" });
  });

  it("bounds the wait for an ack of a plugin that never acks (as the Go SDK) with a clear error", async () => {
    const { host, name } = await setup("noack", { timeouts: { ackMs: 500 } });
    const sink = await host.sink("collect", { ruleId: "rn", opId: "op1" }, { requireAck: true });
    track(host.status(name)?.pid);
    const err = (await sink.write([{ a: 1 }]).catch((e: unknown) => e)) as HostError;
    expect(err).toMatchObject({
      code: "PORTABLE_E_TIMEOUT",
      plugin: name,
      symbol: "collect",
      channel: `ipc://${run.socketDir}/rn_op1_0_ack.ipc`,
    });
    expect(err.message).toContain("no ack within 500 ms");
    expect(err.message).toContain("Go SDK plugins never send acks");
    // Cancellation returns at once, whatever the ack timeout.
    const abort = new AbortController();
    const cancelled = sink.write([{ a: 2 }], { signal: abort.signal }).catch((e: unknown) => e);
    abort.abort();
    expect(await cancelled).toMatchObject({ code: "PORTABLE_E_CLOSED" });
    // Without requireAck the same plugin takes writes.
    const plain = await host.sink("collect", { ruleId: "rn", opId: "op2" });
    await plain.write([{ a: 3 }]);
    await waitFor("the row at the plugin", () =>
      run.logger.lines.some((l) => l.includes('fixture: got [{"a":3}]')),
    );
    await Promise.all([sink.close(), plain.close()]);
  });

  it("re-establishes a function channel that went dead while the process lives", async () => {
    const { host, name } = await setup("deadfunc", { timeouts: { callMs: 1_000 } });
    const fn = await host.function("tsecho");
    const pid = host.status(name)?.pid;
    track(pid);
    expect(await fn.exec(["one"], { ruleId: "r", opId: "o" })).toBe("one");
    await waitFor("the channel to close", () =>
      run.logger.lines.some((l) => l.includes("closing the function channel")),
    );
    // No request comes within the call timeout: the host listens again and
    // re-sends the start. (A call racing with the close times out first.)
    expect(await waitFor("a reply again", () => fn.exec(["two"], { ruleId: "r", opId: "o" }))).toBe(
      "two",
    );
    expect(run.logger.lines.some((l) => l.includes("fixture: function start 2"))).toBe(true);
    expect(run.logger.lines.some((l) => l.includes("is dead; re-establishing"))).toBe(true);
    expect(host.status(name)?.pid).toBe(pid);
  });

  it("kills a plugin that never handshakes after the init timeout: status error, no process left", async () => {
    const { host, name } = await setup("silent", { timeouts: { initMs: 1_500 } });
    const err = await host.function("tsecho").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HostError);
    expect(err).toMatchObject({
      code: "PORTABLE_E_HANDSHAKE",
      plugin: name,
      channel: `ipc://${run.socketDir}/plugin_${name}.ipc`,
    });
    expect(host.status(name)).toEqual({
      refCount: {},
      status: "error",
      errMsg: "handshake timeout",
    });
    expect(run.logger.lines.some((l) => l.includes("started pid"))).toBe(true);
    const pid = Number(/started pid (\d+)/.exec(run.logger.lines.join("\n"))?.[1]);
    expect(pidAlive(pid)).toBe(false);
    expect(await filesMatching(run.socketDir, [".ipc"])).toEqual([]);
  });

  it("reports a plugin that exits at once with its exit status and its last stderr line, and does not restart it", async () => {
    const { host, name } = await setup("exit");
    await expect(host.source("counter", { ruleId: "rx", opId: "op1" })).rejects.toMatchObject({
      code: "PORTABLE_E_PROCESS",
      plugin: name,
      message: `plugin ${name} exited: exit status 2: fixture: exiting at once`,
    });
    expect(host.status(name)).toEqual({
      refCount: {},
      status: "error",
      errMsg: "exit status 2: fixture: exiting at once",
    });
    expect(host.info(name)?.restarts).toBe(0);
    expect(
      run.logger.lines.some((l) => l.includes(`plugin ${name} stderr: fixture: exiting at once`)),
    ).toBe(true);
  });

  it("fails a start the plugin answers with garbage, naming plugin, symbol and channel", async () => {
    const { host, name } = await setup("garbage");
    const err = (await host
      .sink("collect", { ruleId: "rg", opId: "op1" })
      .catch((e: unknown) => e)) as HostError;
    expect(err).toMatchObject({
      code: "PORTABLE_E_COMMAND",
      plugin: name,
      symbol: "collect",
      channel: `ipc://${run.socketDir}/plugin_${name}.ipc`,
    });
    expect(err.message).toContain("start sink collect failed");
    expect(err.message).toContain("garbage");
    // The process itself is fine: a failed start is the symbol's failure.
    expect(host.status(name)?.status).toBe("running");
    track(host.status(name)?.pid);
  });

  it("restarts a plugin that crashes at start with back-off and gives up after the restart limit", async () => {
    // resetAfterMs keeps its default (500 ms): a process that dies 0.3 s
    // after its start never ran healthy, so it is backed off.
    const { host, name } = await setup("crash", {
      restart: { firstDelayMs: 100, maxDelayMs: 400, maxRestarts: 3 },
    });
    const fn = await host.function("tsecho");
    const src = await host.source("counter", { ruleId: "rcrash", opId: "op1" });
    // Once the plugin gives up, the source's iteration ends with the reason.
    // (Ends on `done` too: a loop over settled promises would starve the event loop.)
    const drained = (async () => {
      for (;;) if ((await src.next()).done) return "done";
    })().catch((e: unknown) => e);
    const status = await waitFor("the restart limit", () => {
      const s = host.status(name);
      return s?.status === "error" && s.errMsg.includes("gave up") ? s : undefined;
    });
    expect(status).toEqual({
      refCount: {},
      status: "error",
      errMsg: "exit status 3 (gave up after 3 restarts)",
      restarts: 3,
      lastReason: "exit status 3",
    });
    expect(host.info(name)?.restarts).toBe(3);
    expect(await drained).toMatchObject({
      code: "PORTABLE_E_PROCESS",
      plugin: name,
      message: `plugin ${name}: exit status 3 (gave up after 3 restarts)`,
    });
    expect(src.closed).toBe(true);
    const restarts = run.logger.lines.filter((l) => l.includes("restarting in"));
    expect(restarts.map((l) => /restarting in (\d+) ms/.exec(l)?.[1])).toEqual([
      "100",
      "200",
      "400",
    ]);
    // The next use starts it afresh (as the reference does).
    const again = await host.function("tsecho");
    expect(host.status(name)?.status).toBe("running");
    await Promise.all([fn.close(), again.close()]);
    for (const l of run.logger.lines) {
      const m = /started pid (\d+)/.exec(l);
      if (m) track(Number(m[1]));
    }
  });

  it("refuses to uninstall a plugin in use, and stops its process on uninstall", async () => {
    const { host, name } = await setup("normal");
    const src = await host.source("counter", { ruleId: "ru", opId: "op1" });
    const pid = host.status(name)?.pid;
    track(pid);
    await expect(host.uninstall(name)).rejects.toMatchObject({
      code: "PORTABLE_E_CONFLICT",
      plugin: name,
    });
    await src.close();
    await host.uninstall(name);
    expect(pidAlive(pid)).toBe(false);
    expect(host.status(name)).toBeUndefined();
    expect(await filesMatching(run.socketDir, [".ipc"])).toEqual([]);
  });

  it("close() stops every process and removes every socket file", async () => {
    const { host, name } = await setup("normal");
    await host.source("counter", { ruleId: "rc", opId: "op1" });
    await host.sink("collect", { ruleId: "rc", opId: "op2" }, { requireAck: true });
    const fn = await host.function("tsecho");
    const pid = host.status(name)?.pid;
    track(pid);
    expect((await filesMatching(run.socketDir, [".ipc"])).length).toBeGreaterThan(0);
    await host.close();
    expect(pidAlive(pid)).toBe(false);
    expect(await filesMatching(run.socketDir, [".ipc"])).toEqual([]);
    await expect(fn.exec(["x"], { ruleId: "r", opId: "o" })).rejects.toBeInstanceOf(HostError);
    await expect(host.function("tsecho")).rejects.toMatchObject({ code: "PORTABLE_E_CLOSED" });
  });
});
