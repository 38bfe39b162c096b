// mangos v3.4.2 particulars: its default 1 MiB receive limit (measured both
// ways, at the exact boundary), and its dialer coming back to a listener of
// ours that restarted, with what it had pending (the plugin's handshake, a
// PUSH stream). The mangos peer runs with its library defaults here (no
// --recv-max), unlike in the shared cases.
import { describe, expect, it } from "vitest";
import type { NngError } from "../../src/index.js";
import {
  BIG,
  freePort,
  IpcDir,
  listenUrl,
  numbered,
  streamDigest,
  TRANSPORTS,
  type Transport,
} from "./support/fixtures.js";
import { driver } from "./support/line-peer.js";
import { cleanupHooks, closeAndCheckFile, listenOn, type Ours, ours } from "./support/ours.js";
import { describePeer, MANGOS, MANGOS_HINT, mangosAvailable } from "./support/peers.js";

const dir = new IpcDir();
cleanupHooks(dir);

const MIB = 1024 * 1024;

/** mangos with its own defaults: 1 MiB receive limit, 60 s REQ resend. */
const defaults = driver("mangos v3.4.2, defaults", MANGOS);

/** Pipe removals (and their error codes) of one of our sockets. */
function removals(s: Ours): Array<string | undefined> {
  const seen: Array<string | undefined> = [];
  s.on("pipe", (e) => {
    if (e.type === "removed") seen.push(e.error?.code);
  });
  return seen;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A fixed listen URL that can be listened on again after a close. */
async function fixedUrl(t: Transport, tag: string): Promise<string> {
  return t === "ipc" ? dir.url(tag) : `tcp://127.0.0.1:${await freePort()}`;
}

describePeer(
  "mangos v3.4.2 (Go), library defaults",
  mangosAvailable(),
  () => {
    describe.each(TRANSPORTS)("over %s", (t) => {
      it("their PULL takes exactly 1 MiB and drops the connection on 1 MiB + 1; our dialer reconnects and the next message arrives", async () => {
        const pull = await defaults.start({
          proto: "pull",
          listen: await listenUrl(t, dir, "pull"),
        });
        const push = ours.push();
        const gone = removals(push);
        await push.dial(pull.url);
        // Two arrive; the digest proves which two (the 1 MiB + 1 one would be second).
        const got = pull.op({ op: "recvmany", count: 2, timeout_ms: 10_000 });
        const atLimit = numbered(0, MIB);
        await push.send(atLimit);
        await push.send(numbered(1, MIB + 1)); // our send resolves: the pipe took it
        await until("mangos to drop the pipe", () => gone.length === 1);
        await push.connected(5000);
        const after = Buffer.from("after the reconnect");
        await push.send(after);
        const r = await got;
        expect(r.count).toBe(2);
        expect(r.digest).toBe(streamDigest([atLimit, after]));
      });

      it("their REP counts the 4-byte request id against its limit: a 1 MiB - 4 body is echoed, 1 MiB - 3 never answered", async () => {
        const rep = await defaults.start({ proto: "rep", listen: await listenUrl(t, dir, "rep") });
        const req = ours.req({ recvTimeout: 1500 });
        const gone = removals(req);
        await req.dial(rep.url);
        const echoed = rep.op({ op: "echo", count: 2, timeout_ms: 15_000 });
        const fits = numbered(0, MIB - 4);
        await req.send(fits);
        expect((await req.recv()).equals(fits)).toBe(true);
        await req.send(numbered(1, MIB - 3));
        // Each time the pipe closes our REQ resends at once on the next one, which mangos drops too.
        expect(((await req.recv().catch((e) => e)) as NngError).code).toBe("PORTABLE_E_TIMEOUT");
        expect(gone.length).toBeGreaterThanOrEqual(1);
        // The timeout abandoned the request: the next one goes through.
        await req.connected(5000);
        await req.send("small");
        expect((await req.recv()).toString()).toBe("small");
        expect(await echoed).toMatchObject({ ok: true, count: 2 });
      });

      it("their REQ drops our 1.5 MiB reply with the connection, then resends its request at once", async () => {
        const rep = ours.rep();
        const url = await listenOn(rep, t, dir, "rep");
        const gone = removals(rep);
        const req = await defaults.start({ proto: "req", dial: url });
        const asked = Buffer.from("send me something big");
        const sent = req.send(asked);
        expect((await rep.recv()).equals(asked)).toBe(true);
        await sent;
        const reply = req.op({ op: "recv", timeout_ms: 3000 });
        await rep.send(numbered(0, BIG));
        // Not after mangos's 60 s resend time: on the redialed pipe, within a few seconds.
        const started = Date.now();
        expect((await rep.recv()).equals(asked)).toBe(true);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(gone.length).toBeGreaterThanOrEqual(1);
        await rep.send("small enough");
        expect(await reply).toMatchObject({
          ok: true,
          hex: Buffer.from("small enough").toString("hex"),
        });
      });

      it("their PUSH sends 1.5 MiB with default options (the limit is for receiving); our PULL takes it", async () => {
        const pull = ours.pull();
        const url = await listenOn(pull, t, dir, "pull");
        const push = await defaults.start({ proto: "push", dial: url });
        const sent = push.op({ op: "sendmany", count: 2, size: BIG });
        expect((await pull.recv()).equals(numbered(0, BIG))).toBe(true);
        expect((await pull.recv()).equals(numbered(1, BIG))).toBe(true);
        expect((await sent).ok).toBe(true);
        await closeAndCheckFile(pull, url);
      });

      it("their REQ (a plugin) resends its pending handshake at once to our REP restarted on the same URL", async () => {
        const url = await fixedUrl(t, "ctrl");
        const first = ours.rep();
        await first.listen(url);
        const req = await defaults.start({ proto: "req", dial: url });
        const sent = req.send(Buffer.from("handshake"));
        expect((await first.recv()).toString()).toBe("handshake");
        await sent;
        const reply = req.op({ op: "recv", timeout_ms: 10_000 });
        await closeAndCheckFile(first, url); // the host goes away before answering
        const second = ours.rep();
        await second.listen(url);
        const started = Date.now();
        expect((await second.recv()).toString()).toBe("handshake");
        expect(Date.now() - started).toBeLessThan(5000); // not the 60 s resend time
        await second.send("ok");
        expect(await reply).toMatchObject({ ok: true, hex: Buffer.from("ok").toString("hex") });
        await closeAndCheckFile(second, url);
      });

      it("their PUSH queues while our PULL restarts, redials it, and delivers the stream in order", async () => {
        const url = await fixedUrl(t, "data");
        const first = ours.pull();
        await first.listen(url);
        const push = await defaults.start({ proto: "push", dial: url });
        expect((await push.op({ op: "sendmany", count: 100, size: 100 })).ok).toBe(true);
        for (let i = 0; i < 100; i++)
          expect((await first.recv()).equals(numbered(i, 100))).toBe(true);
        await closeAndCheckFile(first, url);
        await push.pipesUntil((n) => n === 0);
        // mangos PUSH holds up to 128 messages with no peer: sendmany returns before we listen.
        expect((await push.op({ op: "sendmany", count: 100, size: 100 })).ok).toBe(true);
        const second = ours.pull();
        await second.listen(url);
        const got: Buffer[] = [];
        for (let i = 0; i < 100; i++) got.push(await second.recv());
        expect(got.every((g, i) => g.equals(numbered(i, 100)))).toBe(true);
        await closeAndCheckFile(second, url);
      });
    });
  },
  MANGOS_HINT,
);
