// Listener maxPeers: a listener that already holds its peers closes a further connection at
// once (before reading a byte), reports it as a `refused` pipe event, and accepts again once a
// peer has gone. The host uses it to keep one plugin per control and function channel.

import { describe, expect, it } from "vitest";
import { NngError, type PipeEvent, RepSocket, ReqSocket } from "../src/index.js";
import { ipcUrl, rawDial, track, waitFor } from "./support.js";

describe("listener maxPeers", () => {
  it("refuses a second peer while the first is connected, and reports who was refused", async () => {
    const url = ipcUrl("peers");
    const rep = track(new RepSocket({ recvTimeout: 2000 }));
    const events: PipeEvent[] = [];
    rep.onPipeEvent((e) => events.push(e));
    const listener = await rep.listen(url, { maxPeers: 1 });
    const first = track(new ReqSocket({ recvTimeout: 2000 }));
    await first.dial(url);
    const before = Date.now();
    const second = track(new ReqSocket());
    const error = await second.dial(url).catch((e: unknown) => e);
    expect(NngError.is(error, "PORTABLE_E_CONNECT")).toBe(true);
    const refused = events.filter((e) => e.type === "refused");
    expect(refused).toHaveLength(1);
    const r = refused[0]?.type === "refused" ? refused[0].refused : undefined;
    expect(r).toMatchObject({
      url,
      remoteAddress: url.slice("ipc://".length),
      peers: 1,
      maxPeers: 1,
    });
    expect(r?.at.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(listener.peers).toBe(1);
    expect(rep.pipeCount).toBe(1);
    // The first peer is unaffected: its requests still reach the REP.
    await first.send("still me");
    expect((await rep.recv()).toString()).toBe("still me");
    await rep.send("ok");
    expect((await first.recv()).toString()).toBe("ok");
  });

  it("closes a raw connection before reading anything from it", async () => {
    const url = ipcUrl("peers-raw");
    const rep = track(new RepSocket());
    await rep.listen(url, { maxPeers: 1 });
    const holder = await rawDial(url);
    await waitFor(() => holder.received.length >= 8, 2000, "the REP's header");
    const intruder = await rawDial(url);
    await waitFor(() => intruder.ended, 2000, "the intruder to be closed");
    // Nothing was sent to the intruder, not even the SP header.
    expect(intruder.received.length).toBe(0);
  });

  it("accepts a new peer once the first one has gone", async () => {
    const url = ipcUrl("peers-again");
    const rep = track(new RepSocket({ recvTimeout: 2000 }));
    await rep.listen(url, { maxPeers: 1 });
    const first = new ReqSocket();
    await first.dial(url);
    await first.close();
    await waitFor(() => rep.pipeCount === 0, 2000, "the first peer to go");
    const next = track(new ReqSocket({ recvTimeout: 2000 }));
    await next.dial(url);
    await next.send("next");
    expect((await rep.recv()).toString()).toBe("next");
  });

  it("has no limit by default and validates the option", async () => {
    const url = ipcUrl("peers-none");
    const rep = track(new RepSocket());
    const listener = await rep.listen(url);
    const a = track(new ReqSocket());
    const b = track(new ReqSocket());
    await a.dial(url);
    await b.dial(url);
    await waitFor(() => rep.pipeCount === 2, 2000, "both peers");
    expect(listener.peers).toBe(2);
    await expect(rep.listen(ipcUrl("bad"), { maxPeers: -1 })).rejects.toThrow(RangeError);
    await expect(rep.listen(ipcUrl("bad"), { maxPeers: 1.5 })).rejects.toThrow(RangeError);
  });
});
