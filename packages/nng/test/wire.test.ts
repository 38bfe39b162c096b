// Byte-level behaviour against raw streams: headers, framing edge cases, hostile lengths and
// mismatched peers. Nothing here trusts our own encoder to produce the input.
import { describe, expect, it } from "vitest";
import {
  type NngErrorCode,
  type PipeEvent,
  PullSocket,
  PushSocket,
  ReqSocket,
  type Socket,
} from "../src/index.js";
import { hex, ipcUrl, rawDial, sleep, track, waitFor } from "./support.js";

function events(socket: Socket) {
  const seen: PipeEvent[] = [];
  socket.onPipeEvent((e) => seen.push(e));
  return {
    seen,
    errors: () => seen.flatMap((e) => (e.type === "error" ? [e.error.code] : [])),
    waitError: (code: NngErrorCode) =>
      waitFor(() => seen.some((e) => e.type === "error" && e.error.code === code), 5000, code),
  };
}

async function pullWithRawPusher(options = {}) {
  const url = ipcUrl();
  const pull = track(new PullSocket({ recvTimeout: 5000, ...options }));
  const log = events(pull);
  await pull.listen(url);
  const peer = await rawDial(url);
  await peer.write("0053500000500000");
  expect((await peer.read(8)).toString("hex")).toBe("0053500000510000");
  await waitFor(() => pull.pipeCount === 1);
  return { pull, peer, log, url };
}

describe("wire framing from a raw peer", () => {
  it("reassembles frames written one byte at a time", async () => {
    const { pull, peer } = await pullWithRawPusher();
    const frame = hex("01 0000000000000005 68656c6c6f");
    for (const byte of frame) {
      await peer.write(Buffer.from([byte]));
      await sleep(1);
    }
    expect((await pull.recv()).toString()).toBe("hello");
  });

  it("splits many frames arriving in one write", async () => {
    const { pull, peer } = await pullWithRawPusher();
    const frames = Array.from({ length: 50 }, (_, i) => {
      const body = Buffer.from(`n${i}`);
      const prefix = Buffer.alloc(9);
      prefix[0] = 1;
      prefix.writeUInt32BE(body.length, 5);
      return Buffer.concat([prefix, body]);
    });
    await peer.write(Buffer.concat(frames));
    for (let i = 0; i < 50; i++) expect((await pull.recv()).toString()).toBe(`n${i}`);
  });

  it("delivers a zero-length frame as an empty message", async () => {
    const { pull, peer } = await pullWithRawPusher();
    await peer.write("01 0000000000000000");
    expect((await pull.recv()).length).toBe(0);
  });

  it("delivers nothing from a frame cut short by the peer closing", async () => {
    const { pull, peer, log } = await pullWithRawPusher({ recvTimeout: 200 });
    await peer.write("01 0000000000000010 6869");
    await peer.close();
    await waitFor(() => pull.pipeCount === 0);
    await expect(pull.recv()).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
    expect(log.errors()).toEqual([]); // a peer hanging up is not an error
  });

  it("closes the pipe on an ipc frame type other than 0x01", async () => {
    const { pull, peer, log } = await pullWithRawPusher();
    await peer.write("02 0000000000000001 41");
    await peer.waitClosed();
    expect(log.errors()).toEqual(["PORTABLE_E_PROTOCOL"]);
    expect(pull.pipeCount).toBe(0);
  });

  it("closes a connection whose first bytes are not an SP header, delivering nothing", async () => {
    const url = ipcUrl();
    const pull = track(new PullSocket({ recvTimeout: 100 }));
    const log = events(pull);
    await pull.listen(url);
    const peer = await rawDial(url);
    await peer.write(Buffer.from("GET / HTTP/1.1\r\n\r\n"));
    await peer.waitClosed();
    expect(log.errors()).toEqual(["PORTABLE_E_PROTOCOL"]);
    expect(log.seen.some((e) => e.type === "added")).toBe(false);
    await expect(pull.recv()).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
  });

  it("drops a peer that sends no header within handshakeTimeout", async () => {
    const url = ipcUrl();
    const pull = track(new PullSocket({ handshakeTimeout: 100 }));
    const log = events(pull);
    await pull.listen(url);
    const peer = await rawDial(url);
    await peer.waitClosed();
    expect(log.errors()).toEqual(["PORTABLE_E_PROTOCOL"]);
  });

  it("refuses a frame over recvMaxSize: closes the pipe and reports the size", async () => {
    const { pull, peer, log } = await pullWithRawPusher({ recvMaxSize: 4 });
    await peer.write("01 0000000000000004 61626364"); // exactly the limit: fine
    expect((await pull.recv()).toString()).toBe("abcd");
    await peer.write("01 0000000000000005 6162636465");
    await peer.waitClosed();
    expect(log.errors()).toEqual(["PORTABLE_E_MSG_TOO_LARGE"]);
    const removed = log.seen.find((e) => e.type === "removed");
    expect(removed).toMatchObject({ error: { code: "PORTABLE_E_MSG_TOO_LARGE", socket: "pull" } });
  });

  it("refuses an absurd length without allocating it, even with no limit set", async () => {
    const { peer, log } = await pullWithRawPusher();
    const before = process.memoryUsage();
    await peer.write("01 0000010000000000 00"); // 2^40 bytes announced
    await peer.waitClosed();
    expect(log.errors()).toEqual(["PORTABLE_E_MSG_TOO_LARGE"]);
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
  });

  it("does not reserve memory for a large announced frame whose bytes never come", async () => {
    const { pull, peer } = await pullWithRawPusher();
    const before = process.memoryUsage();
    await peer.write("01 00000000e0000000 0102030405"); // 3.5 GiB announced, 5 bytes sent
    await sleep(50);
    const after = process.memoryUsage();
    expect(pull.pipeCount).toBe(1);
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(256 * 1024 * 1024);
  });
});

describe("peer protocol mismatch", () => {
  it("surfaces PORTABLE_E_PEER_PROTOCOL on both sides, delivers nothing, and the dialer keeps trying", async () => {
    const url = ipcUrl();
    const pull = track(new PullSocket({ recvTimeout: 100 }));
    const pullLog = events(pull);
    await pull.listen(url);
    const req = track(new ReqSocket({ reconnectTime: 20, sendTimeout: 100 }));
    const reqLog = events(req);
    await req.dial(url, { blocking: false });
    await waitFor(
      () => reqLog.errors().filter((c) => c === "PORTABLE_E_PEER_PROTOCOL").length >= 2,
      5000,
      "repeated mismatch errors from the reconnecting dialer",
    );
    await pullLog.waitError("PORTABLE_E_PEER_PROTOCOL");
    expect(reqLog.seen.some((e) => e.type === "added")).toBe(false);
    expect(pull.pipeCount).toBe(0);
    await expect(req.send("lost")).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
    await expect(pull.recv()).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
    const error = reqLog.seen.find((e) => e.type === "error");
    expect(error).toMatchObject({
      error: { url, socket: "req", message: expect.stringMatching(/pull/) },
    });
  });

  it("makes a blocking dial throw PORTABLE_E_PEER_PROTOCOL", async () => {
    const url = ipcUrl();
    const push = track(new PushSocket());
    await push.listen(url);
    const req = track(new ReqSocket());
    await expect(req.dial(url)).rejects.toMatchObject({ code: "PORTABLE_E_PEER_PROTOCOL", url });
  });
});
