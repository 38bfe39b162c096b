// Interop with legacy libnanomsg through the `nanomsg` npm binding, in this
// process. libnanomsg refuses messages above 1 MiB by default (NN_RCVMAXSIZE):
// its receiving sockets here set rcvmaxsize -1 (unlimited) so the 1.5 MiB
// cases cross it; it has no REQ resend option in the binding (60 s default).
// The binding's send() is a blocking nn_send (its dontwait option only covers
// receives), run on this thread, the thread our side of the connection needs:
// a send that waits for a peer or a busy pipe deadlocks the test (no vitest
// timeout can fire). Sends here only go to an idle, connected pipe.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  BIG,
  freePort,
  IpcDir,
  numbered,
  requestPayloads,
  TRANSPORTS,
  type Transport,
} from "./support/fixtures.js";
import {
  closeAllOurs,
  closeAndCheckFile,
  listenOn,
  type Ours,
  ours,
  rejection,
} from "./support/ours.js";
import { describePeer, loadNanomsg, type NanoSocket } from "./support/peers.js";
import { within } from "./support/processes.js";

const dir = new IpcDir();
const loaded = loadNanomsg();
const theirs = new Set<NanoSocket>();

function nano(type: "req" | "rep" | "push" | "pull"): NanoSocket {
  if (!loaded.ok) throw new Error(loaded.reason);
  const s = loaded.nano.socket(type, type === "push" ? {} : { rcvmaxsize: -1 });
  theirs.add(s);
  return s;
}

afterEach(async () => {
  await closeAllOurs();
  for (const s of theirs) s.close();
  theirs.clear();
  // Both ends close cleanly, so both libraries must have removed their ipc files.
  const left = dir.leftovers();
  dir.clear();
  expect(left).toEqual([]);
});
afterAll(() => {
  dir.remove();
});

/** Messages from a nanomsg socket, awaited one at a time. */
function inbox(s: NanoSocket): (what: string) => Promise<Buffer> {
  const queued: Buffer[] = [];
  const waiting: Array<(b: Buffer) => void> = [];
  s.on("data", (b) => {
    const w = waiting.shift();
    if (w) w(b);
    else queued.push(b);
  });
  return (what) => {
    const b = queued.shift();
    if (b) return Promise.resolve(b);
    return within(10_000, `nanomsg ${what}`, new Promise<Buffer>((r) => waiting.push(r)));
  };
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
}

/** Connects our socket with theirs: we listen and they connect, or they bind and we dial. */
async function link(s: Ours, n: NanoSocket, t: Transport, weListen: boolean): Promise<string> {
  if (weListen) {
    const url = await listenOn(s, t, dir, "ours");
    n.connect(url);
    return url;
  }
  const url = t === "ipc" ? dir.url("nano") : `tcp://127.0.0.1:${await freePort()}`;
  n.bind(url); // synchronous: listening when it returns
  await s.dial(url);
  return url;
}

const ROLES = [
  { name: "we listen, nanomsg connects", weListen: true },
  { name: "nanomsg binds, we dial", weListen: false },
] as const;

describePeer("libnanomsg (nanomsg npm binding)", loaded.ok ? { ok: true } : loaded, () => {
  describe.each(TRANSPORTS)("over %s", (t) => {
    describe.each(ROLES)("$name", ({ weListen }) => {
      it("our REQ gets every request echoed by their REP (empty, binary, 1.5 MiB)", async () => {
        const req = ours.req();
        const rep = nano("rep");
        rep.on("data", (m) => rep.send(m));
        const url = await link(req, rep, t, weListen);
        for (const p of requestPayloads()) {
          await req.send(p);
          expect((await req.recv()).equals(p)).toBe(true);
        }
        if (weListen) await closeAndCheckFile(req, url);
      });

      it("their REQ gets our REP's reply to every request", async () => {
        const rep = ours.rep();
        const req = nano("req");
        const next = inbox(req);
        const url = await link(rep, req, t, weListen);
        for (const p of requestPayloads()) {
          req.send(p);
          const got = await rep.recv();
          expect(got.equals(p)).toBe(true);
          await rep.send(Buffer.concat([Buffer.from("re:"), got]));
          expect((await next("reply")).equals(Buffer.concat([Buffer.from("re:"), p]))).toBe(true);
        }
        if (weListen) await closeAndCheckFile(rep, url);
      });

      it("our PUSH delivers every message to their PULL, intact and in order", async () => {
        const push = ours.push();
        const pull = nano("pull");
        const next = inbox(pull);
        const url = await link(push, pull, t, weListen);
        const msgs = Array.from({ length: 300 }, (_, i) =>
          numbered(i, i === 0 ? 0 : i === 150 ? BIG : 100),
        );
        for (const m of msgs) await push.send(m);
        for (const m of msgs) expect((await next("pull")).equals(m)).toBe(true);
        if (weListen) await closeAndCheckFile(push, url);
      });

      it("their PUSH delivers every message to our PULL, intact and in order", async () => {
        const pull = ours.pull();
        const push = nano("push");
        const url = await link(pull, push, t, weListen);
        const msgs = Array.from({ length: 300 }, (_, i) =>
          numbered(i, i === 0 ? 0 : i === 150 ? BIG : 100),
        );
        const got: Buffer[] = [];
        const receiving = (async () => {
          for (const _ of msgs) got.push(await pull.recv());
        })();
        for (const [i, m] of msgs.entries()) {
          push.send(m);
          // The binding's send blocks this thread while libnanomsg still writes the previous
          // message, and only this thread can read it: let a big one arrive before the next.
          if (m.length > 65536) {
            await within(
              10_000,
              "big message",
              until(() => got.length > i),
            );
          }
        }
        await receiving;
        expect(got.length).toBe(msgs.length);
        expect(got.every((g, i) => g.equals(msgs[i]!))).toBe(true);
        if (weListen) await closeAndCheckFile(pull, url);
      });
    });

    it("our REQ dialing their PULL: PORTABLE_E_PEER_PROTOCOL, and they receive nothing", async () => {
      const pull = nano("pull");
      const got: Buffer[] = [];
      pull.on("data", (b) => got.push(b));
      const url = t === "ipc" ? dir.url("nano") : `tcp://127.0.0.1:${await freePort()}`;
      pull.bind(url);
      const req = ours.req({ sendTimeout: 500 });
      expect((await rejection(req.dial(url))).code).toBe("PORTABLE_E_PEER_PROTOCOL");
      await req.dial(url, { blocking: false });
      expect((await rejection(req.send("should never arrive"))).code).toBe("PORTABLE_E_TIMEOUT");
      expect(got).toEqual([]);
    });

    it("their REQ connecting to our PULL: we receive nothing", async () => {
      const pull = ours.pull({ recvTimeout: 1000 });
      const errors: string[] = [];
      pull.on("pipe", (e) => {
        if (e.type === "error" || (e.type === "removed" && e.error)) errors.push(e.error!.code);
      });
      const url = await listenOn(pull, t, dir, "pull");
      const req = nano("req");
      req.connect(url);
      req.send("should never arrive");
      expect((await rejection(pull.recv())).code).toBe("PORTABLE_E_TIMEOUT");
      expect(errors).toContain("PORTABLE_E_PEER_PROTOCOL");
      expect(pull.pipeCount).toBe(0);
    });
  });
});
