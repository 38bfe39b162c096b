// PUSH/PULL and PAIR over our own sockets: delivery both ways round, round robin, fair
// queueing, back-pressure, and the big and empty messages.
import { describe, expect, it } from "vitest";
import { PairSocket, PullSocket, PushSocket } from "../src/index.js";
import { ipcUrl, sleep, track, waitFor } from "./support.js";

const FAST = { reconnectTime: 20, sendTimeout: 5000, recvTimeout: 5000 };

async function connectedPair(transport: "ipc" | "tcp", listenerSide: "push" | "pull") {
  const push = track(new PushSocket(FAST));
  const pull = track(new PullSocket(FAST));
  const [listening, dialing] = listenerSide === "push" ? [push, pull] : [pull, push];
  let url = ipcUrl();
  if (transport === "ipc") await listening.listen(url);
  else url = `tcp://127.0.0.1:${(await listening.listen("tcp://127.0.0.1:0")).port}`;
  await dialing.dial(url);
  await push.connected(5000);
  return { push, pull, url };
}

describe("PUSH/PULL loopback", () => {
  for (const transport of ["ipc", "tcp"] as const) {
    for (const listenerSide of ["push", "pull"] as const) {
      it(`delivers messages in order over ${transport} with the ${listenerSide} side listening`, async () => {
        const { push, pull } = await connectedPair(transport, listenerSide);
        for (let i = 0; i < 100; i++) await push.send(`job ${i}`);
        for (let i = 0; i < 100; i++) expect((await pull.recv()).toString()).toBe(`job ${i}`);
      });
    }
  }

  it("trySend and tryRecv move messages without waiting, and say no when they would wait", async () => {
    const lonely = track(new PushSocket(FAST));
    expect(lonely.trySend("nobody to take it")).toBe(false);
    const { push, pull } = await connectedPair("ipc", "pull");
    expect(pull.tryRecv()).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(push.trySend(`quick ${i}`)).toBe(true);
    await waitFor(() => (pull.tryRecv()?.toString() ?? "") === "quick 0");
    for (let i = 1; i < 10; i++) {
      let m = pull.tryRecv();
      while (m === undefined) {
        await sleep(5);
        m = pull.tryRecv();
      }
      expect(m.toString()).toBe(`quick ${i}`);
    }
    await push.close();
    expect(push.trySend("after close")).toBe(false);
  });

  it("carries zero-length messages", async () => {
    const { push, pull } = await connectedPair("ipc", "pull");
    await push.send(new Uint8Array(0));
    await push.send("after");
    expect((await pull.recv()).length).toBe(0);
    expect((await pull.recv()).toString()).toBe("after");
  });

  for (const transport of ["ipc", "tcp"] as const) {
    it(`carries a 64 MiB message intact over ${transport}`, async () => {
      const { push, pull } = await connectedPair(transport, "pull");
      const big = Buffer.allocUnsafe(64 * 1024 * 1024 + 3);
      for (let i = 0; i < big.length; i += 4096) big[i] = (i >>> 12) & 0xff;
      await push.send(big);
      await push.send("tail");
      const got = await pull.recv();
      expect(got.length).toBe(big.length);
      expect(got.equals(big)).toBe(true);
      expect((await pull.recv()).toString()).toBe("tail");
    });
  }

  it("accepts strings as UTF-8 and Uint8Array views at their offset", async () => {
    const { push, pull } = await connectedPair("ipc", "pull");
    await push.send("héllo ✓");
    const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
    await push.send(backing.subarray(2, 5));
    expect((await pull.recv()).toString("utf8")).toBe("héllo ✓");
    expect([...(await pull.recv())]).toEqual([1, 2, 3]);
  });

  it("round-robins over several pullers", async () => {
    const url = ipcUrl();
    const push = track(new PushSocket(FAST));
    await push.listen(url);
    const pulls = [0, 1, 2].map(() => track(new PullSocket(FAST)));
    for (const pull of pulls) await pull.dial(url);
    await waitFor(() => push.pipeCount === 3);
    for (let i = 0; i < 30; i++) await push.send(`m${i}`);
    const counts = await Promise.all(
      pulls.map(async (pull) => {
        let n = 0;
        pull.setOption("recvTimeout", 300);
        while (
          await pull.recv().then(
            () => true,
            () => false,
          )
        )
          n++;
        return n;
      }),
    );
    expect(counts).toEqual([10, 10, 10]);
  });

  it("fair-queues between pushers so one busy peer cannot starve another", async () => {
    const url = ipcUrl();
    const pull = track(new PullSocket(FAST));
    await pull.listen(url);
    const busy = track(new PushSocket(FAST));
    const quiet = track(new PushSocket(FAST));
    await busy.dial(url);
    await quiet.dial(url);
    await waitFor(() => pull.pipeCount === 2);
    for (let i = 0; i < 500; i++) await busy.send("busy");
    await quiet.send("quiet");
    await sleep(50);
    const firstTen: string[] = [];
    for (let i = 0; i < 10; i++) firstTen.push((await pull.recv()).toString());
    expect(firstTen).toContain("quiet");
  });

  it("makes send wait while the puller does not read, until the send deadline", async () => {
    const url = ipcUrl();
    const pull = track(new PullSocket(FAST));
    await pull.listen(url);
    const push = track(new PushSocket({ ...FAST, sendTimeout: 200 }));
    await push.dial(url);
    const chunk = Buffer.alloc(1024 * 1024);
    let sent = 0;
    let error: unknown;
    // Queues and socket buffers hold a few MiB; after that, sends must block and time out.
    while (sent < 200) {
      try {
        await push.send(chunk);
        sent++;
      } catch (err) {
        error = err;
        break;
      }
    }
    expect(error).toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
    expect(sent).toBeLessThan(200);
    // Reading unblocks the pusher.
    for (let i = 0; i < sent; i++) await pull.recv();
    push.setOption("sendTimeout", 5000);
    await push.send("unblocked");
    let last = await pull.recv();
    while (last.length !== "unblocked".length) last = await pull.recv();
    expect(last.toString()).toBe("unblocked");
  });

  it("waits for a peer when sending with none, until the send deadline", async () => {
    const push = track(new PushSocket({ sendTimeout: 50 }));
    await expect(push.send("x")).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
  });

  it("rejects recv on PUSH and send on PULL with PORTABLE_E_PROTO_STATE", async () => {
    await expect(track(new PushSocket()).recv()).rejects.toMatchObject({
      code: "PORTABLE_E_PROTO_STATE",
    });
    await expect(track(new PullSocket()).send("x")).rejects.toMatchObject({
      code: "PORTABLE_E_PROTO_STATE",
    });
  });

  it("iterates received messages with for await, ending when the socket closes", async () => {
    const { push, pull } = await connectedPair("ipc", "pull");
    for (const m of ["a", "b", "c"]) await push.send(m);
    const seen: string[] = [];
    for await (const m of pull) {
      seen.push(m.toString());
      if (seen.length === 3) void pull.close();
    }
    expect(seen).toEqual(["a", "b", "c"]);
  });
});

describe("PAIR", () => {
  it("talks both ways with one peer and refuses a second one", async () => {
    const url = ipcUrl();
    const a = track(new PairSocket(FAST));
    await a.listen(url);
    const b = track(new PairSocket(FAST));
    await b.dial(url);
    await a.send("to b");
    expect((await b.recv()).toString()).toBe("to b");
    await b.send("to a");
    expect((await a.recv()).toString()).toBe("to a");
    // As in NNG, the intruder's header exchange succeeds; then the busy side hangs up on it.
    const intruder = track(new PairSocket({ ...FAST, reconnectTime: 60_000 }));
    const removed = new Promise<void>((resolve) =>
      intruder.onPipeEvent((e) => e.type === "removed" && resolve()),
    );
    await intruder.dial(url);
    await removed;
    expect(a.pipeCount).toBe(1);
    await a.send("still to b");
    expect((await b.recv()).toString()).toBe("still to b");
  });
});
