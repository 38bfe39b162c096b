// REQ/REP over our own sockets and against raw peers: request ids, resend, cancel, the
// protocol-state errors, backtraces, and the inverted pattern the plugin protocol uses.
import { describe, expect, it } from "vitest";
import { encodeFrame, NngError, RepSocket, ReqSocket } from "../src/index.js";
import { hex, ipcUrl, rawDial, rawListen, sleep, track, waitFor } from "./support.js";

const FAST = { reconnectTime: 20, sendTimeout: 5000, recvTimeout: 5000 };

async function tcpUrl(listen: (url: string) => Promise<{ port: number | undefined }>) {
  const listener = await listen("tcp://127.0.0.1:0");
  return `tcp://127.0.0.1:${listener.port}`;
}

describe("REQ/REP loopback", () => {
  for (const transport of ["ipc", "tcp"] as const) {
    for (const listenerSide of ["rep", "req"] as const) {
      it(`answers requests over ${transport} with the ${listenerSide} side listening`, async () => {
        const req = track(new ReqSocket(FAST));
        const rep = track(new RepSocket(FAST));
        const [listening, dialing] = listenerSide === "rep" ? [rep, req] : [req, rep];
        let url = ipcUrl();
        if (transport === "ipc") await listening.listen(url);
        else url = await tcpUrl((u) => listening.listen(u));
        await dialing.dial(url);
        for (let i = 0; i < 5; i++) {
          await req.send(`ping ${i}`);
          const request = await rep.recv();
          expect(request.toString()).toBe(`ping ${i}`);
          await rep.send(`pong ${i}`);
          expect((await req.recv()).toString()).toBe(`pong ${i}`);
        }
      });
    }
  }

  it("works in the inverted plugin pattern: the REP holds a request past REQ's resend time", async () => {
    const url = ipcUrl();
    const rep = track(new RepSocket(FAST));
    await rep.listen(url);
    const req = track(new ReqSocket({ ...FAST, resendTime: 100 }));
    await req.dial(url);
    await req.send("handshake");
    const reply = req.recv();
    expect((await rep.recv()).toString()).toBe("handshake");
    await sleep(350); // the host is busy; REQ resends meanwhile, with the same request id
    // The host takes the newest copy and answers it: the id is the same, so REQ accepts it.
    const newest = await rep.recv();
    expect(newest.toString()).toBe("handshake");
    await rep.send("ok");
    expect((await reply).toString()).toBe("ok");
  });
});

describe("REQ", () => {
  it("sends the request id as a 4-byte big-endian header with the high bit set, then increments it", async () => {
    const url = ipcUrl();
    const raw = await rawListen(url);
    const req = track(new ReqSocket({ ...FAST, resendTime: 0 }));
    await req.dial(url, { blocking: false });
    const peer = await raw.next();
    await peer.write("0053500000310000");
    expect((await peer.read(8)).toString("hex")).toBe("0053500000300000");
    await req.send("a");
    const first = await peer.read(9 + 5);
    expect(first.subarray(0, 9).toString("hex")).toBe("010000000000000005");
    const id = first.readUInt32BE(9);
    expect(id & 0x8000_0000).not.toBe(0);
    expect(first.subarray(13).toString()).toBe("a");
    await req.send("b");
    const second = await peer.read(14);
    expect(second.readUInt32BE(9)).toBe(((id + 1) | 0x8000_0000) >>> 0);
  });

  it("resends the request after resendTime with the same id, byte for byte", async () => {
    const url = ipcUrl();
    const raw = await rawListen(url);
    const req = track(new ReqSocket({ ...FAST, resendTime: 80 }));
    const dialed = req.dial(url);
    const peer = await raw.next();
    await peer.write("0053500000310000");
    await dialed;
    await peer.read(8);
    await req.send("again");
    const first = await peer.read(9 + 4 + 5);
    const second = await peer.read(9 + 4 + 5, 2000);
    expect(second.toString("hex")).toBe(first.toString("hex"));
  });

  it("drops replies with an unknown id and takes the matching one", async () => {
    const url = ipcUrl();
    const raw = await rawListen(url);
    const req = track(new ReqSocket({ ...FAST, resendTime: 0 }));
    const dialed = req.dial(url);
    const peer = await raw.next();
    await peer.write("0053500000310000");
    await dialed;
    await peer.read(8);
    await req.send("q");
    const frame = await peer.read(9 + 4 + 1);
    const id = frame.readUInt32BE(9);
    const wrong = Buffer.alloc(4);
    wrong.writeUInt32BE((id ^ 1) >>> 0);
    await peer.write(encodeFrame("ipc", [wrong, Buffer.from("stale")]));
    await peer.write(encodeFrame("ipc", [frame.subarray(9, 13), Buffer.from("fresh")]));
    expect((await req.recv()).toString()).toBe("fresh");
  });

  it("resends at once on another pipe when the pipe carrying the request dies", async () => {
    const urlA = ipcUrl();
    const urlB = ipcUrl();
    const a = track(new RepSocket(FAST));
    const b = track(new RepSocket(FAST));
    await a.listen(urlA);
    await b.listen(urlB);
    const req = track(new ReqSocket({ ...FAST, resendTime: 0, reconnectTime: 60_000 }));
    await req.dial(urlA);
    await req.dial(urlB);
    await req.send("important");
    const reply = req.recv();
    // Whichever REP got it closes without answering; the other must receive it.
    const atA = a.recv().then((m) => ({ socket: a, m }));
    const atB = b.recv().then((m) => ({ socket: b, m }));
    const first = await Promise.race([atA, atB]);
    const [other, pending] = first.socket === a ? [b, atB] : [a, atA];
    await first.socket.close();
    expect((await pending).m.toString()).toBe("important");
    await other.send("done");
    expect((await reply).toString()).toBe("done");
  });

  it("cancels the outstanding request when a new one is sent", async () => {
    const url = ipcUrl();
    const rep = track(new RepSocket(FAST));
    await rep.listen(url);
    const req = track(new ReqSocket(FAST));
    await req.dial(url);
    await req.send("first");
    const firstReply = req.recv();
    await req.send("second");
    await expect(firstReply).rejects.toMatchObject({ code: "PORTABLE_E_CANCELLED" });
    expect((await rep.recv()).toString()).toBe("first");
    await rep.send("late answer to first"); // dropped by REQ: its id was cancelled
    expect((await rep.recv()).toString()).toBe("second");
    await rep.send("answer to second");
    expect((await req.recv()).toString()).toBe("answer to second");
  });

  it("rejects recv with no request outstanding with PORTABLE_E_PROTO_STATE", async () => {
    const req = track(new ReqSocket());
    await expect(req.recv()).rejects.toMatchObject({
      code: "PORTABLE_E_PROTO_STATE",
      socket: "req",
    });
  });

  it("waits for a peer when sending with none, until the send deadline", async () => {
    const req = track(new ReqSocket({ sendTimeout: 100 }));
    const error = await req.send("nobody").catch((e: unknown) => e);
    expect(NngError.is(error, "PORTABLE_E_TIMEOUT")).toBe(true);
    // The timed-out request was abandoned.
    await expect(req.recv()).rejects.toMatchObject({ code: "PORTABLE_E_PROTO_STATE" });
  });

  it("delivers a request sent before any peer once one connects", async () => {
    const url = ipcUrl();
    const req = track(new ReqSocket(FAST));
    await req.dial(url, { blocking: false });
    const sent = req.send("early");
    const rep = track(new RepSocket(FAST));
    await rep.listen(url);
    await sent;
    expect((await rep.recv()).toString()).toBe("early");
    await rep.send("hi");
    expect((await req.recv()).toString()).toBe("hi");
  });

  it("times out a recv with PORTABLE_E_TIMEOUT and abandons the request", async () => {
    const url = ipcUrl();
    const rep = track(new RepSocket(FAST));
    await rep.listen(url);
    const req = track(new ReqSocket({ recvTimeout: 50 }));
    await req.dial(url);
    await req.send("slow");
    await expect(req.recv()).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
    await expect(req.recv()).rejects.toMatchObject({ code: "PORTABLE_E_PROTO_STATE" });
  });
});

describe("REP", () => {
  async function repWithRawReq() {
    const url = ipcUrl();
    const rep = track(new RepSocket(FAST));
    await rep.listen(url);
    const peer = await rawDial(url);
    await peer.write("0053500000300000");
    expect((await peer.read(8)).toString("hex")).toBe("0053500000310000");
    await waitFor(() => rep.pipeCount === 1);
    return { rep, peer };
  }

  it("echoes the whole backtrace, hop words included, in front of the reply", async () => {
    const { rep, peer } = await repWithRawReq();
    await peer.write(encodeFrame("ipc", [hex("00000007 80000002"), Buffer.from("ping")]));
    expect((await rep.recv()).toString()).toBe("ping");
    await rep.send("pong");
    expect((await peer.read(9 + 8 + 4)).toString("hex")).toBe(
      "01000000000000000c" + "0000000780000002" + Buffer.from("pong").toString("hex"),
    );
  });

  it("accepts 8 backtrace words and drops requests with more, keeping the pipe", async () => {
    const { rep, peer } = await repWithRawReq();
    const hops = (n: number) => Buffer.concat([...Array(n - 1)].map(() => hex("00000001")));
    await peer.write(encodeFrame("ipc", [hops(9), hex("80000009"), Buffer.from("too far")]));
    await peer.write(encodeFrame("ipc", [hops(8), hex("80000008"), Buffer.from("just ok")]));
    expect((await rep.recv()).toString()).toBe("just ok");
    expect(rep.pipeCount).toBe(1);
  });

  it("disconnects a peer whose request has no request id", async () => {
    const { rep, peer } = await repWithRawReq();
    const errors: string[] = [];
    rep.onPipeEvent((e) => {
      if (e.type === "error") errors.push(e.error.code);
    });
    await peer.write(encodeFrame("ipc", [hex("00000001 00")]));
    await peer.waitClosed();
    expect(errors).toEqual(["PORTABLE_E_PROTOCOL"]);
  });

  it("rejects send without a received request with PORTABLE_E_PROTO_STATE", async () => {
    const rep = track(new RepSocket());
    await expect(rep.send("x")).rejects.toMatchObject({ code: "PORTABLE_E_PROTO_STATE" });
  });

  it("drops the reply silently when the requester's pipe is gone", async () => {
    const { rep, peer } = await repWithRawReq();
    await peer.write(encodeFrame("ipc", [hex("80000001"), Buffer.from("q")]));
    await rep.recv();
    await peer.close();
    await waitFor(() => rep.pipeCount === 0);
    await expect(rep.send("into the void")).resolves.toBeUndefined();
  });

  it("tryRecv takes a queued request without waiting, so a reply skips requests the REQ abandoned", async () => {
    const req = track(new ReqSocket(FAST));
    const rep = track(new RepSocket(FAST));
    const url = ipcUrl();
    await rep.listen(url);
    await req.dial(url);
    await req.send("first");
    expect((await rep.recv()).toString()).toBe("first");
    // Nothing queued: the current request stays current.
    expect(rep.tryRecv()).toBeUndefined();
    // The REQ gives up on "first" and sends "second" (NNG semantics: the new request cancels the old).
    const abandoned = req.recv().catch((e: unknown) => e);
    await req.send("second");
    expect(await abandoned).toMatchObject({ code: "PORTABLE_E_CANCELLED" });
    await waitFor(() => rep.tryRecv()?.toString() === "second");
    await rep.send("reply to second");
    expect((await req.recv()).toString()).toBe("reply to second");
  });
});
