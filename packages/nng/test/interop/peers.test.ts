// The harness checked on its own: the real peers talk to each other. When one
// of these fails, the interop failures elsewhere are harness errors, not bugs
// in our sockets.
import { afterAll, afterEach, expect, it } from "vitest";
import { expectedDigest, IpcDir, numbered } from "./support/fixtures.js";
import {
  describePeer,
  loadNanomsg,
  mangos,
  mangosAvailable,
  nngcat,
  nngcatAvailable,
  parseNngcatHex,
  pynng,
  pynngAvailable,
} from "./support/peers.js";
import { assertNoneAlive, reapAll, within } from "./support/processes.js";

const dir = new IpcDir();
const nano = loadNanomsg();

afterEach(async () => {
  await reapAll();
  assertNoneAlive();
  dir.clear();
});
afterAll(() => dir.remove());

const both = (() => {
  const a = pynngAvailable();
  if (!a.ok) return a;
  return nngcatAvailable();
})();

describePeer("harness: pynng <-> nngcat", both, () => {
  it("nngcat REQ gets pynng REP's echo over ipc", async () => {
    const rep = await pynng.start({ proto: "rep", listen: dir.url("rep") });
    const echo = rep.op({ op: "echo", count: 1 });
    const req = nngcat(["--req0", "--dial", rep.url, "--data", "ping", "--hex"]);
    expect(await within(10_000, "nngcat exit", req.exited)).toBe(0);
    expect(parseNngcatHex(req.output().stdout.toString())).toEqual([Buffer.from("ping")]);
    expect((await echo).ok).toBe(true);
  });

  it("pynng PUSH streams numbered messages to nngcat PULL over tcp, in order", async () => {
    // nngcat cannot report a port it chose, so pynng listens and nngcat dials.
    const push = await pynng.start({ proto: "push", listen: "tcp://127.0.0.1:0" });
    const sink = nngcat(["--pull0", "--dial", push.url, "--hex", "--count", "50"]);
    expect((await push.op({ op: "sendmany", count: 50, size: 100 })).ok).toBe(true);
    expect(await within(10_000, "nngcat exit", sink.exited)).toBe(0);
    const got = parseNngcatHex(sink.output().stdout.toString());
    expect(got).toEqual(Array.from({ length: 50 }, (_, i) => numbered(i, 100)));
  });
});

describePeer("harness: mangos <-> pynng", both.ok ? mangosAvailable() : both, () => {
  it("pynng REQ gets mangos REP's echo over tcp, and pynng PULL a mangos PUSH stream over ipc", async () => {
    const rep = await mangos.start({ proto: "rep", listen: "tcp://127.0.0.1:0" });
    const req = await pynng.start({ proto: "req", dial: rep.url });
    const echoed = rep.op({ op: "echo", count: 1 });
    await req.send(Buffer.from("ping"));
    expect((await req.recv()).toString()).toBe("ping");
    expect((await echoed).ok).toBe(true);
    const push = await mangos.start({ proto: "push", listen: dir.url("mangos-push") });
    const pull = await pynng.start({ proto: "pull", dial: push.url });
    const result = pull.op({ op: "recvmany", count: 100, timeout_ms: 5000 });
    expect((await push.op({ op: "sendmany", count: 100, size: 64 })).ok).toBe(true);
    expect(await result).toMatchObject({ count: 100, digest: expectedDigest(100, 64) });
  });
});

describePeer("harness: nanomsg <-> pynng", nano.ok ? pynngAvailable() : nano, () => {
  it("pynng PULL receives a nanomsg PUSH stream intact, in order", async () => {
    if (!nano.ok) throw new Error(nano.reason);
    const push = nano.nano.socket("push");
    try {
      const url = dir.url("nano-push");
      push.bind(url);
      const pull = await pynng.start({ proto: "pull", dial: url });
      const result = pull.op({ op: "recvmany", count: 100, timeout_ms: 5000 });
      for (let i = 0; i < 100; i++) push.send(numbered(i, 64));
      const r = await result;
      expect(r.count).toBe(100);
      expect(r.digest).toBe(expectedDigest(100, 64));
    } finally {
      push.close();
    }
  });
});
