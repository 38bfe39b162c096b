// The host's control channel against a plugin played by hand with a REQ
// socket (PROTOCOL.md §4.2, §5.2): handshake, answers, the first-byte rule,
// one command at a time, timeouts and errors that name plugin, symbol and
// channel.

import { connect } from "node:net";
import { encodeFrame, encodeHeader, ReqSocket } from "@portable-plugins/nng";
import { Command, type Control } from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { ControlChannel } from "../src/run/control-channel.js";
import { DEFAULT_MESSAGE_LIMIT } from "../src/run/supervisor-options.js";
import { tempDir } from "./helpers.js";
import { collectingLogger, filesMatching } from "./runtime-helpers.js";

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

const START: Control = {
  symbolName: "random",
  meta: { ruleId: "rule1", opId: "op1", instanceId: 0 },
  pluginType: "source",
};

async function pair(commandTimeoutMs = 5_000) {
  const socketDir = await tempDir("pp-cc-");
  const logger = collectingLogger();
  const channel = new ControlChannel({
    plugin: "fake",
    socketDir,
    commandTimeoutMs,
    logger,
    maxMessageBytes: DEFAULT_MESSAGE_LIMIT,
  });
  await channel.listen();
  const plugin = new ReqSocket({ resendTime: 0 });
  await plugin.dial(channel.url);
  open.push(plugin, channel);
  return { channel, plugin, logger, socketDir };
}

describe("control channel", () => {
  it("takes any first request as the handshake, and logs one that is not `handshake`", async () => {
    const { channel, plugin, logger } = await pair();
    await plugin.send("hello there");
    await channel.handshake(5_000);
    expect(logger.lines.some((l) => l.includes('not "handshake" but "hello there"'))).toBe(true);
  });

  it("sends a command as the reply to the handshake and resolves on `ok`", async () => {
    const { channel, plugin } = await pair();
    await plugin.send("handshake");
    await channel.handshake(5_000);
    const sent = channel.send({ cmd: "start", arg: START });
    expect(Command.decode(await plugin.recv())).toEqual({ cmd: "start", arg: START });
    await plugin.send("ok");
    await sent;
  });

  it("sends a remembered command's exact bytes and names it from its message, without decoding the bytes", async () => {
    const { channel, plugin } = await pair();
    await plugin.send("handshake");
    await channel.handshake(5_000);
    // Bytes in another producer's dialect (Python's spacing): sent as they are, never re-encoded.
    const bytes = Buffer.from(`{"cmd": "start", "arg": ${JSON.stringify(JSON.stringify(START))}}`);
    const sent = channel.send({ message: { cmd: "start", arg: START }, bytes });
    expect(await plugin.recv()).toEqual(bytes);
    await plugin.send("symbol not found");
    await expect(sent).rejects.toMatchObject({
      code: "PORTABLE_E_COMMAND",
      symbol: "random",
      message: expect.stringContaining("start source random failed"),
    });
  });

  it("re-sends the pending command when a keepalive handshake arrives instead of the answer", async () => {
    const { channel, plugin } = await pair();
    await plugin.send("handshake");
    await channel.handshake(5_000);
    const sent = channel.send({ cmd: "start", arg: START });
    await plugin.recv(); // the command; the plugin "misses" it and sends a keepalive
    await plugin.send("handshake");
    expect(Command.decode(await plugin.recv()).cmd).toBe("start");
    await plugin.send("ok");
    await sent;
    expect(channel.resends).toBe(1);
  });

  it("recovers when the reply went to a request the plugin had abandoned (first-byte rule, §5.2)", async () => {
    const { channel, plugin } = await pair();
    await plugin.send("handshake");
    await channel.handshake(5_000);
    // The plugin's keepalive cancels its first request before the host speaks.
    await plugin.send("handshake");
    await new Promise((r) => setTimeout(r, 50));
    const sent = channel.send({ cmd: "stop", arg: START });
    expect(Command.decode(await plugin.recv()).cmd).toBe("stop");
    await plugin.send("ok");
    await sent;
    expect(channel.resends).toBe(1);
  });

  it("replies to the newest request when keepalives queued while the channel was idle (§5.2)", async () => {
    const socketDir = await tempDir("pp-cc-");
    const channel = new ControlChannel({
      plugin: "fake",
      socketDir,
      commandTimeoutMs: 5_000,
      logger: collectingLogger(),
      maxMessageBytes: DEFAULT_MESSAGE_LIMIT,
    });
    await channel.listen();
    open.push(channel);
    // The plugin played at the byte level, to see which request each reply answers.
    const sock = connect({ path: channel.url.slice("ipc://".length) });
    open.push({ close: async () => void sock.destroy() });
    const received: Buffer[] = [];
    sock.on("data", (d: Buffer) => received.push(d));
    sock.write(encodeHeader("req"));
    const request = (id: number, body: string) => {
      const word = Buffer.alloc(4);
      word.writeUInt32BE(id);
      sock.write(encodeFrame("ipc", [word, Buffer.from(body)]));
    };
    request(0x80000001, "handshake");
    await channel.handshake(5_000);
    // Idle: keepalives 2, 3, 4 each cancel the plugin's previous request.
    for (let id = 0x80000002; id <= 0x80000004; id++) request(id, "handshake");
    await new Promise((r) => setTimeout(r, 100));
    const sent = channel.send({ cmd: "start", arg: START });
    await new Promise((r) => setTimeout(r, 100));
    // After the 8-byte SP header: exactly one frame, the reply to request 4.
    const bytes = Buffer.concat(received).subarray(8);
    const length = Number(bytes.readBigUInt64BE(1));
    expect(bytes.length).toBe(9 + length);
    expect(bytes.readUInt32BE(9)).toBe(0x80000004);
    expect(Command.decode(bytes.subarray(13)).cmd).toBe("start");
    request(0x80000005, "ok");
    await sent;
    expect(channel.resends).toBe(3);
  });

  it("fails with PORTABLE_E_COMMAND and the plugin's text verbatim", async () => {
    const { channel, plugin } = await pair();
    await plugin.send("handshake");
    await channel.handshake(5_000);
    const sent = channel.send({ cmd: "start", arg: START }).catch((e: unknown) => e);
    await plugin.recv();
    await plugin.send("symbol not found");
    const err = (await sent) as HostError;
    expect(err).toBeInstanceOf(HostError);
    expect(err).toMatchObject({
      code: "PORTABLE_E_COMMAND",
      plugin: "fake",
      symbol: "random",
      channel: channel.url,
    });
    expect(err.message).toBe(
      `plugin fake: start source random failed on ${channel.url}: symbol not found`,
    );
  });

  it("sends one command at a time, in call order", async () => {
    const { channel, plugin } = await pair();
    await plugin.send("handshake");
    await channel.handshake(5_000);
    const a = channel.send({ cmd: "start", arg: START });
    const b = channel.send({ cmd: "start", arg: { ...START, symbolName: "second" } });
    expect(Command.decode(await plugin.recv()).arg.symbolName).toBe("random");
    await plugin.send("ok");
    expect(Command.decode(await plugin.recv()).arg.symbolName).toBe("second");
    await plugin.send("ok");
    await Promise.all([a, b]);
  });

  it("times out a command with no answer (PORTABLE_E_TIMEOUT), and drops the late answer later", async () => {
    const { channel, plugin, logger } = await pair(300);
    await plugin.send("handshake");
    await channel.handshake(5_000);
    await expect(channel.send({ cmd: "start", arg: START })).rejects.toMatchObject({
      code: "PORTABLE_E_TIMEOUT",
      plugin: "fake",
      symbol: "random",
      channel: channel.url,
    });
    await plugin.recv();
    await plugin.send("ok"); // late: the host has given up on it
    const next = channel.send({ cmd: "stop", arg: START });
    await new Promise((r) => setTimeout(r, 50));
    expect(Command.decode(await plugin.recv()).cmd).toBe("stop");
    await plugin.send("ok");
    await next;
    expect(logger.lines.some((l) => l.includes('discarding a late answer "ok"'))).toBe(true);
  });

  it("reports a missing handshake as PORTABLE_E_HANDSHAKE, and unlinks its file on close", async () => {
    const { channel, socketDir } = await pair();
    await expect(channel.handshake(200)).rejects.toMatchObject({
      code: "PORTABLE_E_HANDSHAKE",
      plugin: "fake",
      channel: channel.url,
    });
    await channel.close();
    expect(await filesMatching(socketDir, [".ipc"])).toEqual([]);
  });

  it("fails a pending command with the reason it was closed for", async () => {
    const { channel, plugin } = await pair();
    await plugin.send("handshake");
    await channel.handshake(5_000);
    const sent = channel.send({ cmd: "start", arg: START }).catch((e: unknown) => e);
    await plugin.recv();
    const reason = new HostError("PORTABLE_E_PROCESS", "plugin fake exited: signal: killed", {
      plugin: "fake",
    });
    await channel.close(reason);
    expect(await sent).toBe(reason);
  });
});
