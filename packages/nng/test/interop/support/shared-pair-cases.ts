// The PAIR v0 cases every JSON-lines peer (libnng through pynng, mangos)
// must pass: messages both ways with us listening or dialing over ipc and
// tcp, our dialer coming back to a peer killed and restarted on the same URL,
// and one peer at a time on each side (a second one is disconnected).
import { describe, expect, it } from "vitest";
import {
  expectedDigest,
  freePort,
  type IpcDir,
  listenUrl,
  numbered,
  requestPayloads,
  streamDigest,
  TRANSPORTS,
} from "./fixtures.js";
import type { PeerDriver } from "./line-peer.js";
import { connectByRole, listenOn, ours, rejection } from "./ours.js";
import { ROLES } from "./shared-cases.js";

export function sharedPairCases(peer: PeerDriver, dir: IpcDir): void {
  describe.each(TRANSPORTS)("PAIR over %s", (t) => {
    describe.each(ROLES)("$name", ({ weListen }) => {
      it("our PAIR and their PAIR exchange messages both ways, intact and in order", async () => {
        const pair = ours.pair();
        const { theirs, end } = await connectByRole(peer, pair, {
          t,
          dir,
          weListen,
          ours: "pair",
          theirs: "pair",
        });
        // Echoed one at a time: empty, binary, 4 KiB, 1.5 MiB.
        const payloads = requestPayloads();
        const echoed = theirs.op({ op: "echo", count: payloads.length });
        for (const p of payloads) {
          await pair.send(p);
          expect((await pair.recv()).equals(p)).toBe(true);
        }
        expect((await echoed).ok).toBe(true);
        // Then a stream each way.
        const got: Buffer[] = [];
        const sent = theirs.op({ op: "sendmany", count: 300, size: 100 });
        for (let i = 0; i < 300; i++) got.push(await pair.recv());
        expect((await sent).ok).toBe(true);
        expect(streamDigest(got)).toBe(expectedDigest(300, 100));
        const msgs = Array.from({ length: 300 }, (_, i) => numbered(i, i % 100 === 0 ? 65536 : 64));
        const received = theirs.op({ op: "recvmany", count: msgs.length });
        for (const m of msgs) await pair.send(m);
        expect(await received).toMatchObject({ count: 300, digest: streamDigest(msgs) });
        await end();
      });
    });

    it("our PAIR redials their PAIR restarted (killed) on the same URL; both ways work again", async () => {
      const url = t === "ipc" ? dir.url("pair") : `tcp://127.0.0.1:${await freePort()}`;
      const killed = await peer.start({ proto: "pair", listen: url });
      const pair = ours.pair();
      await pair.dial(url);
      await pair.send("before");
      expect((await killed.recv()).toString()).toBe("before");
      killed.proc.child.kill("SIGKILL"); // over ipc it leaves its socket file behind
      await killed.proc.exited;
      const theirs = await peer.start({ proto: "pair", listen: url });
      await pair.send("after"); // waits for the redialed pipe
      expect((await theirs.recv()).toString()).toBe("after");
      await theirs.send(Buffer.from("back"));
      expect((await pair.recv()).toString()).toBe("back");
    });

    it("our PAIR keeps its first peer of theirs and disconnects a second one", async () => {
      const pair = ours.pair();
      const url = await listenOn(pair, t, dir, "pair");
      const first = await peer.start({ proto: "pair", dial: url });
      await first.pipesUntil((n) => n === 1);
      // The refused second peer redials every 100 ms: it never stays attached. (Its own pipe
      // count says nothing: pynng's grows with every refused pipe, see README.md.)
      const second = await peer.start({ proto: "pair", dial: url });
      const toSecond = second.op({ op: "recvmany", count: 1, timeout_ms: 1500 });
      await pair.send("for the first");
      expect((await first.recv()).toString()).toBe("for the first");
      await first.send(Buffer.from("from the first"));
      expect((await pair.recv()).toString()).toBe("from the first");
      expect((await toSecond).count).toBe(0);
      expect(pair.pipeCount).toBe(1);
    });

    it("their PAIR keeps its first peer; our second PAIR gets nothing and is not attached", async () => {
      const theirs = await peer.start({
        proto: "pair",
        listen: await listenUrl(t, dir, "pair"),
      });
      const first = ours.pair();
      await first.dial(theirs.url);
      await theirs.pipesUntil((n) => n === 1);
      const second = ours.pair({ recvTimeout: 1500 });
      await second.dial(theirs.url, { blocking: false });
      await theirs.send(Buffer.from("for the first"));
      expect((await first.recv()).toString()).toBe("for the first");
      await first.send("from the first");
      expect((await theirs.recv()).toString()).toBe("from the first");
      expect((await rejection(second.recv())).code).toBe("PORTABLE_E_TIMEOUT");
      expect((await theirs.op({ op: "pipes" })).pipes).toBe(1);
    });
  });
}
