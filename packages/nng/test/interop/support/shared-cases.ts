// The cases every JSON-lines peer (libnng through pynng, mangos) must pass:
// every pattern, both roles, both transports, a wrong-protocol peer, the
// plugin handshake where the REP side holds the first request past the REQ
// side's resend time, the plugin's keepalive (a new handshake after a receive
// timeout), peer restarts, shared ipc paths and our receive limit.
// Each peer's test file calls sharedCases() inside its describePeer block and
// adds what is particular to that library.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  BIG,
  expectedDigest,
  type IpcDir,
  listenUrl,
  numbered,
  requestPayloads,
  streamDigest,
  TRANSPORTS,
} from "./fixtures.js";
import type { PeerDriver } from "./line-peer.js";
import { connectByRole, listenOn, ours, rejection } from "./ours.js";

/** A mixed stream for PUSH: empty, tiny, 64 KiB and one above 1 MiB, numbered. */
export function pushStream(): Buffer[] {
  return Array.from({ length: 300 }, (_, i) =>
    numbered(i, i === 0 ? 0 : i === 150 ? BIG : i % 100 === 50 ? 65536 : 100),
  );
}

export const ROLES = [
  { name: "we listen, they dial", weListen: true },
  { name: "they listen, we dial", weListen: false },
] as const;

export function sharedCases(peer: PeerDriver, dir: IpcDir): void {
  describe.each(TRANSPORTS)("over %s", (t) => {
    describe.each(ROLES)("$name", ({ weListen }) => {
      it("our REQ gets every request echoed by their REP (empty, binary, 1.5 MiB)", async () => {
        const req = ours.req();
        const { theirs: rep, end } = await connectByRole(peer, req, {
          t,
          dir,
          weListen,
          ours: "req",
          theirs: "rep",
        });
        const payloads = requestPayloads();
        const echoed = rep.op({ op: "echo", count: payloads.length, timeout_ms: 10_000 });
        for (const p of payloads) {
          await req.send(p);
          expect((await req.recv()).equals(p)).toBe(true);
        }
        expect(await echoed).toMatchObject({ ok: true, count: payloads.length });
        await end();
      });

      it("their REQ gets our REP's reply to every request", async () => {
        const rep = ours.rep();
        const { theirs: req, end } = await connectByRole(peer, rep, {
          t,
          dir,
          weListen,
          ours: "rep",
          theirs: "req",
        });
        for (const p of requestPayloads()) {
          const sent = req.send(p);
          const got = await rep.recv();
          expect(got.equals(p)).toBe(true);
          await sent;
          const back = req.recv();
          await rep.send(Buffer.concat([Buffer.from("re:"), got]));
          expect((await back).equals(Buffer.concat([Buffer.from("re:"), p]))).toBe(true);
        }
        await end();
      });

      it("our PUSH delivers every message to their PULL, intact and in order", async () => {
        const push = ours.push();
        const { theirs: pull, end } = await connectByRole(peer, push, {
          t,
          dir,
          weListen,
          ours: "push",
          theirs: "pull",
        });
        const msgs = pushStream();
        const result = pull.op({ op: "recvmany", count: msgs.length, timeout_ms: 10_000 });
        for (const m of msgs) await push.send(m);
        const r = await result;
        expect(r.count).toBe(msgs.length);
        expect(r.digest).toBe(streamDigest(msgs));
        await end();
      });

      it("their PUSH delivers every message to our PULL, intact and in order", async () => {
        const pull = ours.pull();
        const { theirs: push, end } = await connectByRole(peer, pull, {
          t,
          dir,
          weListen,
          ours: "pull",
          theirs: "push",
        });
        const got: Buffer[] = [];
        const sent = push.op({ op: "sendmany", count: 500, size: 100 });
        for (let i = 0; i < 500; i++) got.push(await pull.recv());
        expect((await sent).ok).toBe(true);
        expect(streamDigest(got)).toBe(expectedDigest(500, 100));
        const big = push.op({ op: "sendmany", count: 2, size: BIG });
        const a = await pull.recv();
        const b = await pull.recv();
        expect((await big).ok).toBe(true);
        expect(a.equals(numbered(0, BIG)) && b.equals(numbered(1, BIG))).toBe(true);
        await end();
      });
    });

    it("our REQ dialing their PULL: the dial fails with PORTABLE_E_PEER_PROTOCOL, nothing is delivered", async () => {
      const pull = await peer.start({
        proto: "pull",
        listen: await listenUrl(t, dir, "pull"),
      });
      const req = ours.req({ sendTimeout: 500 });
      expect((await rejection(req.dial(pull.url))).code).toBe("PORTABLE_E_PEER_PROTOCOL");
      // A background dial keeps being refused; a send finds no peer and times out.
      await req.dial(pull.url, { blocking: false });
      expect((await rejection(req.send("should never arrive"))).code).toBe("PORTABLE_E_TIMEOUT");
      const r = await pull.op({ op: "recvmany", count: 1, timeout_ms: 1000 });
      expect(r.count).toBe(0);
    });

    it("their REQ dialing our PULL: we report PORTABLE_E_PEER_PROTOCOL and receive nothing", async () => {
      const pull = ours.pull({ recvTimeout: 1500 });
      const errors: string[] = [];
      pull.on("pipe", (e) => {
        if (e.type === "error" || (e.type === "removed" && e.error)) errors.push(e.error!.code);
      });
      const url = await listenOn(pull, t, dir, "pull");
      const req = await peer.start({ proto: "req", dial: url, sendTimeoutMs: 1000 });
      const sent = req.op({ op: "send", hex: Buffer.from("should never arrive").toString("hex") });
      expect((await rejection(pull.recv())).code).toBe("PORTABLE_E_TIMEOUT");
      await sent; // either "ok" (queued) or a timeout: the peer library's business
      expect(errors).toContain("PORTABLE_E_PEER_PROTOCOL");
      expect(pull.pipeCount).toBe(0);
    });
  });

  describe("plugin handshake, REP slower than the REQ resend time", () => {
    it("their REQ resends while our REP holds the request; the late reply is taken", async () => {
      const rep = ours.rep({ recvTimeout: 10_000 });
      const url = await listenOn(rep, "ipc", dir, "ctrl");
      const req = await peer.start({ proto: "req", dial: url, resendMs: 300 });
      const sent = req.send(Buffer.from("handshake"));
      expect((await rep.recv()).toString()).toBe("handshake");
      await sent;
      const reply = req.recv(10_000);
      await sleep(2000);
      await rep.send("ok");
      expect((await reply).toString()).toBe("ok");
      // The resends queued while we held the first copy: same request, again.
      const again = await rep.recv();
      expect(again.toString()).toBe("handshake");
    });

    it("our REQ resends while their REP holds the request; the late reply is taken", async () => {
      const rep = await peer.start({
        proto: "rep",
        listen: await listenUrl("ipc", dir, "ctrl"),
      });
      const req = ours.req({ resendTime: 300, recvTimeout: 10_000 });
      await req.dial(rep.url);
      const first = rep.recv(10_000);
      await req.send("handshake");
      const reply = req.recv();
      expect((await first).toString()).toBe("handshake");
      await sleep(2000);
      await rep.send(Buffer.from("ok"));
      expect((await reply).toString()).toBe("ok");
      expect((await rep.recv(2000)).toString()).toBe("handshake");
    });

    it("our REQ dialing before their REP listens delivers the request once it appears", async () => {
      const url = await listenUrl("ipc", dir, "late");
      const req = ours.req({ recvTimeout: 10_000 });
      await req.dial(url, { blocking: false });
      const sent = req.send("handshake");
      await sleep(300);
      const rep = await peer.start({ proto: "rep", listen: url });
      await sent;
      const echoed = rep.op({ op: "echo", count: 1 });
      expect((await req.recv()).toString()).toBe("handshake");
      expect((await echoed).ok).toBe(true);
    });
  });

  describe("plugin keepalive: their REQ gives up on a request and sends a new handshake", () => {
    it("our REP's reply to the abandoned request is dropped; the one to the newest (tryRecv) arrives", async () => {
      const rep = ours.rep();
      const url = await listenOn(rep, "ipc", dir, "ctrl");
      const req = await peer.start({ proto: "req", dial: url });
      const first = req.send(Buffer.from("handshake"));
      expect((await rep.recv()).toString()).toBe("handshake");
      await first;
      // The plugin's receive times out (as the Go SDK's does when the host is idle) ...
      expect(await req.op({ op: "recv", timeout_ms: 300 })).toMatchObject({
        ok: false,
        error: "Timeout",
      });
      // ... and it sends a fresh handshake, with a new request id.
      await req.send(Buffer.from("handshake"));
      const answer = req.op({ op: "recv", timeout_ms: 5000 });
      await rep.send("stale"); // answers the first request: its id is no longer awaited
      let newest: Buffer | undefined;
      const deadline = Date.now() + 5000;
      while (!newest && Date.now() < deadline) {
        newest = rep.tryRecv();
        if (!newest) await sleep(10);
      }
      expect(newest?.toString()).toBe("handshake");
      await rep.send("command");
      expect(await answer).toMatchObject({ ok: true, hex: Buffer.from("command").toString("hex") });
    });
  });

  describe("restarts, shared paths and limits", () => {
    it("our REQ sends its pending request again, at once, to a REP restarted on the same ipc path", async () => {
      const url = dir.url("restart");
      const first = await peer.start({ proto: "rep", listen: url });
      // resendTime stays at 60 s: only the lost pipe may trigger the resend.
      const req = ours.req({ recvTimeout: 10_000 });
      await req.dial(url);
      const got = first.recv();
      await req.send("handshake");
      const reply = req.recv();
      expect((await got).toString()).toBe("handshake");
      first.proc.child.kill("SIGKILL"); // leaves its ipc file: the peer must take the path over
      await first.proc.exited;
      const second = await peer.start({ proto: "rep", listen: url });
      const echoed = second.op({ op: "echo", count: 1 });
      expect((await reply).toString()).toBe("handshake");
      expect((await echoed).ok).toBe(true);
    });

    it("our listener refuses an ipc path the peer listens on, with PORTABLE_E_ADDR_IN_USE, and leaves it working", async () => {
      const url = dir.url("taken");
      const rep = await peer.start({ proto: "rep", listen: url });
      const pull = ours.pull();
      expect((await rejection(pull.listen(url))).code).toBe("PORTABLE_E_ADDR_IN_USE");
      const req = ours.req();
      await req.dial(url);
      const echoed = rep.op({ op: "echo", count: 1 });
      await req.send("still there?");
      expect((await req.recv()).toString()).toBe("still there?");
      expect((await echoed).ok).toBe(true);
    });

    it("their listener refuses an ipc path we listen on (its probe is not an error to us), and ours keeps working", async () => {
      const rep = ours.rep();
      const events: string[] = [];
      rep.on("pipe", (e) => events.push(e.type));
      const url = await listenOn(rep, "ipc", dir, "taken");
      // Both libraries probe a taken path by connecting to it: we must neither break nor report it.
      await expect(peer.start({ proto: "pull", listen: url })).rejects.toThrow(/AddressInUse/);
      const req = await peer.start({ proto: "req", dial: url });
      const sent = req.send(Buffer.from("still there?"));
      expect((await rep.recv()).toString()).toBe("still there?");
      await sent;
      await rep.send("yes");
      expect((await req.recv()).toString()).toBe("yes");
      expect(events).toEqual(["added"]);
    });

    it("our PULL drops a frame above recvMaxSize with PORTABLE_E_MSG_TOO_LARGE, then takes the redialed pipe's next one", async () => {
      const pull = ours.pull({ recvMaxSize: 1024, recvTimeout: 1500 });
      const errors: string[] = [];
      pull.on("pipe", (e) => {
        if (e.type === "error" || (e.type === "removed" && e.error)) errors.push(e.error!.code);
      });
      const url = await listenOn(pull, "tcp", dir, "limit");
      const push = await peer.start({ proto: "push", dial: url });
      expect((await push.op({ op: "sendmany", count: 1, size: 2048 })).ok).toBe(true);
      expect((await rejection(pull.recv())).code).toBe("PORTABLE_E_TIMEOUT");
      expect(errors).toContain("PORTABLE_E_MSG_TOO_LARGE");
      // The peer redials (100 ms by default in both peer programs); a message within the limit
      // gets through. The 1.5 s above only had to outlast the dropped frame; the redial of a
      // peer process on a loaded machine may take longer (seen once on Node 22 in CI), so the
      // wait for it is longer.
      pull.setOption("recvTimeout", 10_000);
      const small = push.op({ op: "sendmany", count: 1, size: 1024 });
      expect((await pull.recv()).equals(numbered(0, 1024))).toBe(true);
      expect((await small).ok).toBe(true);
    });
  });
}
