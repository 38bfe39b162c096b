// The debug server (PROTOCOL.md §7.3) as a plugin author uses it: the server
// waits, the plugin is started by hand (here: a child process the test
// starts itself, as an IDE would), and symbols are driven with POST
// /symbol/start and /symbol/stop. The TypeScript fixture runs in a private
// socket folder; each test leaves no process and no socket file behind.

import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { beforeEach, describe, expect, it } from "vitest";
import { DebugServer, type DebugServerOptions } from "../src/debug/debug-server.js";
import { parseSamples } from "../src/debug/samples.js";
import { socketIsLive } from "../src/run/socket-files.js";
import {
  filesMatching,
  pidAlive,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
  useRuntimeSandbox,
  waitFor,
} from "./runtime-helpers.js";

const FIXTURE = join(TS_FIXTURE_DIR, "plugin.mjs");
const START_ARG = '{"sendTimeout":1000}';

let server: DebugServer | undefined;
let plugin: ChildProcess | undefined;
/** What the debug server printed. */
let out: string[];
/** What the plugin printed. */
let pluginOut: string[];

const run = useRuntimeSandbox({
  socketPrefix: "pp-dbg-sock-",
  teardown: async () => {
    await server?.close();
    server = undefined;
    const child = plugin;
    plugin = undefined;
    if (child?.pid !== undefined) {
      // Our SDK exits when the host closes the control channel.
      await waitFor(
        "the plugin to exit",
        () => child.exitCode !== null || child.signalCode !== null,
      );
      expect(pidAlive(child.pid)).toBe(false);
    }
  },
  // The plugin is started by hand, not by a host: the teardown checks its pid.
  pids: () => [],
});

beforeEach(() => {
  out = [];
  pluginOut = [];
});

async function startServer(name: string, options: Partial<DebugServerOptions> = {}) {
  server = await DebugServer.start({
    plugin: name,
    port: 0,
    socketDir: run.socketDir,
    handshakeTimeoutMs: 30_000,
    intervalMs: 100,
    out: (line) => out.push(line),
    logger: run.logger,
    timeouts: { commandMs: 15_000, callMs: 10_000, ackMs: 10_000 },
    ...options,
  });
  return server;
}

/** Starts the fixture "by hand", as a developer would in an IDE. */
function startPluginByHand(name: string): ChildProcess {
  const child = spawn(process.execPath, [FIXTURE, START_ARG], {
    env: {
      ...process.env,
      FIXTURE_MODE: "normal",
      ...TS_FIXTURE_ENV,
      PORTABLE_PLUGIN_NAME: name,
      PORTABLE_SOCKET_DIR: run.socketDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) =>
    pluginOut.push(l),
  );
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) =>
    run.logger.debug(`plugin stderr: ${l}`),
  );
  plugin = child;
  return child;
}

async function post(
  path: "/symbol/start" | "/symbol/stop",
  body: unknown,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${server?.url}${path}`, {
    method: "POST",
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: res.status, text: await res.text() };
}

const OK = { status: 200, text: "ok" };

async function ready(options: Partial<DebugServerOptions> = {}) {
  const name = uniqueName("dbg");
  const s = await startServer(name, options);
  expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(s.controlUrl).toBe(`ipc://${run.socketDir}/plugin_${name}.ipc`);
  startPluginByHand(name);
  await s.handshake;
  return name;
}

describe("portable debug server with a TypeScript SDK plugin started by hand", () => {
  it("prints a started source's tuples, one line each, until it is stopped", async () => {
    await ready();
    const counter = {
      symbolName: "counter",
      meta: { ruleId: "rule1", opId: "op1", instanceId: 1 },
      pluginType: "source",
      config: {},
    };
    expect(await post("/symbol/start", counter)).toEqual(OK);
    await waitFor("four tuples", () => out.filter((l) => l.startsWith("{")).length >= 4);
    const tuples = out.filter((l) => l.startsWith("{"));
    expect(tuples.slice(0, 4)).toEqual(['{"n":0}', '{"n":1}', '{"n":2}', '{"n":3}']);
    expect(
      out.some((l) => l.startsWith("error: ") && l.includes("a test error after 3 rows")),
    ).toBe(true);
    expect(await post("/symbol/start", counter)).toEqual({
      status: 400,
      text: "source symbol counter already exists\n",
    });
    expect(await filesMatching(run.socketDir, ["rule1_op1_1"])).toEqual(["rule1_op1_1.ipc"]);

    expect(await post("/symbol/stop", counter)).toEqual(OK);
    const printed = out.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(out.length).toBe(printed);
    expect(await filesMatching(run.socketDir, ["rule1_op1_1"])).toEqual([]);
    expect(await post("/symbol/stop", counter)).toEqual({
      status: 400,
      text: "Symbol counter already close\n",
    });
    // Started again after the stop.
    expect(await post("/symbol/start", counter)).toEqual(OK);
    await waitFor("tuples again", () => out.length > printed);
    expect(await post("/symbol/stop", counter)).toEqual(OK);
  });

  it("feeds a started sink the reference's two rows, one message per row, and reports failed acks", async () => {
    await ready({
      samples: parseSamples({ rows: [{ count: 5, name: "hello" }, { fail: true }, { count: 10 }] }),
    });
    const sink = {
      symbolName: "collect",
      meta: { ruleId: "rule1", opId: "op1", instanceId: 1 },
      pluginType: "sink",
      config: { requireAck: true },
    };
    expect(await post("/symbol/start", sink)).toEqual(OK);
    await waitFor("a second round of rows", () => out.length >= 5);
    expect(out.slice(0, 4)).toEqual([
      'sent {"count":5,"name":"hello"}',
      expect.stringMatching(/^cannot collect data: .*collect: refused a row with fail=true$/),
      'sent {"count":10}',
      'sent {"count":5,"name":"hello"}',
    ]);
    await waitFor("the plugin to print the rows", () => pluginOut.length >= 3);
    expect(pluginOut.slice(0, 3)).toEqual([
      'fixture: collect {"count":5,"name":"hello"}',
      'fixture: collect {"fail":true}',
      'fixture: collect {"count":10}',
    ]);
    expect(await post("/symbol/stop", sink)).toEqual(OK);
    expect(await filesMatching(run.socketDir, ["rule1_op1_1"])).toEqual([]);
  });

  it("sends the default rows to a sink without acks", async () => {
    await ready();
    const sink = { symbolName: "collect", pluginType: "sink" }; // no meta: rule1/op1/0
    expect(await post("/symbol/start", sink)).toEqual(OK);
    await waitFor("three rows", () => pluginOut.length >= 3);
    expect(pluginOut.slice(0, 3)).toEqual([
      'fixture: collect {"count":5,"name":"hello"}',
      'fixture: collect {"count":10,"name":"world"}',
      'fixture: collect {"count":5,"name":"hello"}',
    ]);
    expect(await post("/symbol/stop", sink)).toEqual(OK);
  });

  it("calls a started function with the sample arguments and prints its replies", async () => {
    await ready();
    const fn = {
      symbolName: "tsecho",
      meta: { ruleId: "", opId: "", instanceId: 0 },
      pluginType: "func",
    };
    expect(await post("/symbol/start", fn)).toEqual(OK);
    await waitFor("four replies", () => out.length >= 4);
    expect(out.slice(0, 4)).toEqual(['"twelve"', '"eleven"', '"twelve"', '"eleven"']);
    expect(await post("/symbol/start", fn)).toEqual({
      status: 400,
      text: "function symbol tsecho already exists\n",
    });
    expect(await post("/symbol/stop", fn)).toEqual(OK);
    const printed = out.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(out.length).toBe(printed);
  });

  it("runs a source and a sink side by side when their meta differ", async () => {
    await ready();
    const src = {
      symbolName: "counter",
      pluginType: "source",
      meta: { ruleId: "a", opId: "src", instanceId: 0 },
    };
    const sink = { symbolName: "collect", pluginType: "sink", meta: src.meta };
    expect(await post("/symbol/start", src)).toEqual(OK);
    // The same instance key would share socket files: refused.
    const clash = await post("/symbol/start", sink);
    expect(clash.status).toBe(400);
    expect(clash.text).toContain("instance a_src_0 is in use");
    const other = { ...sink, meta: { ruleId: "a", opId: "sink", instanceId: 0 } };
    expect(await post("/symbol/start", other)).toEqual(OK);
    await waitFor("rows both ways", () => out.some((l) => l.startsWith("sent ")) && out.length > 3);
    expect(await post("/symbol/stop", src)).toEqual(OK);
    expect(await post("/symbol/stop", other)).toEqual(OK);
  });

  it("answers 400 with a text for bad bodies, unknown symbols and plugin failures", async () => {
    const name = await ready({
      manifest: {
        version: "v1",
        language: "nodejs",
        executable: "plugin.mjs",
        sources: ["counter", "ghost"],
        sinks: ["collect"],
        functions: ["tsecho"],
      },
    });
    const bad = await post("/symbol/start", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/^Invalid body: decode error /);
    const badType = await post("/symbol/start", { symbolName: "x", pluginType: "rule" });
    expect(badType.status).toBe(400);
    expect(badType.text).toMatch(/^Invalid body: decode error .*pluginType/);
    expect(await post("/symbol/start", { symbolName: "nope", pluginType: "source" })).toEqual({
      status: 400,
      text: `running source nope: plugin ${name} has no source nope (its manifest lists counter, ghost)\n`,
    });
    // In the manifest, but the plugin does not serve it: the plugin's answer.
    const ghost = await post("/symbol/start", { symbolName: "ghost", pluginType: "source" });
    expect(ghost.status).toBe(400);
    expect(ghost.text).toContain("ghost");
    // And it is not running afterwards.
    expect((await post("/symbol/stop", { symbolName: "ghost", pluginType: "source" })).text).toBe(
      "Symbol ghost already close\n",
    );
    const get = await fetch(`${server?.url}/symbol/start`);
    expect(get.status).toBe(405);
    expect((await fetch(`${server?.url}/nowhere`, { method: "POST" })).status).toBe(404);
  });

  it("refuses to start when a host already listens for the plugin, and on a non-loopback address", async () => {
    const name = await ready();
    await expect(startServerAgain(name)).rejects.toMatchObject({ code: "PORTABLE_E_CONFLICT" });
    await expect(
      DebugServer.start({
        plugin: uniqueName("dbg"),
        host: "0.0.0.0",
        port: 0,
        socketDir: run.socketDir,
      }),
    ).rejects.toMatchObject({ code: "PORTABLE_E_BAD_REQUEST" });
  });

  it("closes at once while still waiting for the plugin", async () => {
    const s = await startServer(uniqueName("dbg"), { handshakeTimeoutMs: 300_000 });
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(2_000);
    await expect(s.handshake).rejects.toMatchObject({ code: "PORTABLE_E_CLOSED" });
  });

  it("listens on the control channel before start() resolves (a plugin started right after finds it)", async () => {
    const name = uniqueName("dbg");
    await startServer(name);
    // No await between start() and the check: eKuiper's Go SDK exits when its first dial fails.
    expect(await socketIsLive(join(run.socketDir, `plugin_${name}.ipc`), 200)).toBe(true);
  });

  it("reports a plugin that never comes within the handshake timeout", async () => {
    const s = await startServer(uniqueName("dbg"), { handshakeTimeoutMs: 300 });
    await expect(s.handshake).rejects.toMatchObject({ code: "PORTABLE_E_HANDSHAKE" });
    const res = await post("/symbol/start", { symbolName: "counter", pluginType: "source" });
    expect(res.status).toBe(400);
    expect(res.text).toContain("no handshake within 300 ms");
  });
});

function startServerAgain(name: string) {
  return DebugServer.start({ plugin: name, port: 0, socketDir: run.socketDir, logger: run.logger });
}
