// The hardening of the host's inverted REP channels (issue 11), against
// plugins played at the byte level: one peer per channel (a second
// connection is refused and logged while the first lives), raw garbage
// instead of an SP header and a frame header announcing 800 MB are protocol
// errors at once that name plugin, channel and what arrived, without the
// host allocating the announced size.

import { connect, type Socket } from "node:net";
import { encodeFrame, encodeHeader, ReqSocket } from "@portable-plugins/nng";
import { afterEach, describe, expect, it } from "vitest";
import type { HostError } from "../src/errors.js";
import { ControlChannel } from "../src/run/control-channel.js";
import { FunctionChannel } from "../src/run/function-channel.js";
import { DEFAULT_MESSAGE_LIMIT } from "../src/run/supervisor-options.js";
import { tempDir } from "./helpers.js";
import { collectingLogger, waitFor } from "./runtime-helpers.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

async function channel(maxMessageBytes = DEFAULT_MESSAGE_LIMIT) {
  const socketDir = await tempDir("pp-cf-");
  const logger = collectingLogger();
  const failures: HostError[] = [];
  const refused: string[] = [];
  const control = new ControlChannel({
    plugin: "fake",
    socketDir,
    commandTimeoutMs: 5_000,
    logger,
    maxMessageBytes,
    events: { failed: (e) => failures.push(e), refused: (c) => refused.push(c.url) },
  });
  await control.listen();
  open.push(control);
  return { control, logger, failures, refused };
}

function raw(url: string): Promise<Socket> {
  const sock = connect({ path: url.slice("ipc://".length) });
  open.push({ close: async () => void sock.destroy() });
  sock.on("error", () => {});
  return new Promise((resolve) => sock.once("connect", () => resolve(sock)));
}

const closedWithin = (sock: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (sock.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    sock.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

describe("one peer per channel", () => {
  it("refuses a second process on the control channel and keeps serving the first", async () => {
    const { control, logger, refused } = await channel();
    const plugin = new ReqSocket({ resendTime: 0, recvTimeout: 5_000 });
    open.push(plugin);
    await plugin.dial(control.url);
    await plugin.send("handshake");
    await control.handshake(5_000);
    // A second plugin calling itself "fake" tries to take the channel over.
    const impostor = new ReqSocket({ resendTime: 0 });
    open.push(impostor);
    await expect(impostor.dial(control.url)).rejects.toMatchObject({ code: "PORTABLE_E_CONNECT" });
    expect(refused).toEqual([control.url]);
    const line = logger.lines.find((l) => l.includes("refused a second connection"));
    expect(line).toMatch(
      /^warn plugin fake: refused a second connection to control channel ipc:\/\//,
    );
    expect(line).toMatch(/at \d{4}-\d\d-\d\dT/);
    // Commands still reach the first plugin.
    const sent = control.send({
      cmd: "start",
      arg: {
        symbolName: "s",
        meta: { ruleId: "r", opId: "o", instanceId: 0 },
        pluginType: "source",
      },
    });
    expect(JSON.parse((await plugin.recv()).toString()).cmd).toBe("start");
    await plugin.send("ok");
    await sent;
  });

  it("refuses a second process on a function channel", async () => {
    const socketDir = await tempDir("pp-cf-");
    const logger = collectingLogger();
    const fn = new FunctionChannel({
      plugin: "fake",
      symbol: `f${process.pid}`,
      socketDir,
      callTimeoutMs: 2_000,
      logger,
      maxMessageBytes: DEFAULT_MESSAGE_LIMIT,
    });
    await fn.listen();
    open.push(fn);
    const first = new ReqSocket({ resendTime: 0 });
    open.push(first);
    await first.dial(fn.url);
    await first.send("handshake");
    await fn.ready(2_000);
    const second = new ReqSocket({ resendTime: 0 });
    open.push(second);
    await expect(second.dial(fn.url)).rejects.toMatchObject({ code: "PORTABLE_E_CONNECT" });
    expect(logger.lines.some((l) => l.includes("refused a second connection"))).toBe(true);
  });
});

describe("wire faults are protocol errors at once", () => {
  it("raw garbage instead of the SP header fails the handshake at once, naming what arrived", async () => {
    const { control, failures } = await channel();
    const sock = await raw(control.url);
    sock.write("GET / HTTP/1.1\r\n\r\n");
    const started = Date.now();
    const err = (await control.handshake(20_000).catch((e: unknown) => e)) as HostError;
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(err).toMatchObject({ code: "PORTABLE_E_CHANNEL", plugin: "fake", channel: control.url });
    expect(err.message).toContain("protocol error on control channel");
    expect(err.message).toContain(Buffer.from("GET / HT").toString("hex"));
    expect(failures).toHaveLength(1);
  });

  it("a frame header announcing 800 MB is refused when read, naming plugin, channel and size, without allocating it", async () => {
    const limit = 2 * 1024 * 1024;
    const { control, failures, logger } = await channel(limit);
    const sock = await raw(control.url);
    sock.write(encodeHeader("req"));
    sock.write(encodeFrame("ipc", [Buffer.from([0x80, 0, 0, 1]), Buffer.from("handshake")]));
    await control.handshake(5_000);
    const before = process.memoryUsage().arrayBuffers;
    const prefix = Buffer.alloc(9);
    prefix[0] = 1;
    prefix.writeBigUInt64BE(800_000_000n, 1);
    sock.write(prefix);
    sock.write(Buffer.alloc(64 * 1024, 0x61)); // the start of the body
    expect(await closedWithin(sock, 2_000)).toBe(true);
    await waitFor("the failure", () => failures.length === 1, 2_000, 10);
    const err = failures[0] as HostError;
    expect(err).toMatchObject({ code: "PORTABLE_E_CHANNEL", plugin: "fake", channel: control.url });
    expect(err.message).toContain("800000000 bytes");
    expect(err.message).toContain(`at most ${limit} bytes`);
    expect(logger.lines.some((l) => l.startsWith("error ") && l.includes("800000000"))).toBe(true);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50 * 1024 * 1024);
    // The channel is closed with that error: a command fails with it at once.
    await expect(
      control.send({
        cmd: "stop",
        arg: {
          symbolName: "s",
          meta: { ruleId: "r", opId: "o", instanceId: 0 },
          pluginType: "source",
        },
      }),
    ).rejects.toBe(err);
  });

  it("a limit under 1 MiB is refused", async () => {
    const { resolveSupervisorOptions } = await import("../src/run/supervisor-options.js");
    expect(() => resolveSupervisorOptions({ maxMessageBytes: 1024 * 1024 - 1 })).toThrow(
      /at least 1048576/,
    );
    expect(resolveSupervisorOptions({}).maxMessageBytes).toBe(64 * 1024 * 1024);
  });
});
