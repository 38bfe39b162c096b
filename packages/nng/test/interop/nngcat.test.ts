// Interop with libnng through nngcat (Debian nng-utils 1.5.2), one process per
// exchange. nngcat sends the same --file for every message and prints each
// received one as a `--hex` line; it needs --interval >= 1 s to send several
// requests (1.5.2 fails with "Cannot set recv timeout" otherwise), and it
// leaves its ipc file behind when it exits (the afterEach removes it).
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  BIG,
  IpcDir,
  ipcPath,
  listenUrl,
  numbered,
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
import { describePeer, nngcat, nngcatAvailable, parseNngcatHex } from "./support/peers.js";
import { assertNoneAlive, reapAll, type Spawned, within } from "./support/processes.js";
import { waitListening } from "./support/wait.js";

const dir = new IpcDir();

afterEach(async () => {
  await closeAllOurs();
  await reapAll();
  assertNoneAlive();
  dir.clear();
});
afterAll(() => {
  dir.remove();
});

/** Writes `data` to a file in the test directory, for nngcat's --file. */
function file(data: Buffer): string {
  const p = join(dir.path, `data-${randomBytes(4).toString("hex")}.bin`);
  writeFileSync(p, data);
  return p;
}

async function finished(cat: Spawned): Promise<Buffer[]> {
  const code = await within(20_000, "nngcat to finish", cat.exited);
  const { stdout, stderr } = cat.output();
  if (code !== 0) throw new Error(`nngcat exited ${code}: ${stderr}`);
  return parseNngcatHex(stdout.toString());
}

/**
 * Connects our socket `s` with an nngcat started by `args(where)`: either we
 * listen and nngcat dials, or nngcat listens (on a free port or ipc path) and
 * we dial once it is up.
 */
async function withNngcat(
  s: Ours,
  t: Transport,
  weListen: boolean,
  args: (where: string[]) => string[],
): Promise<{ cat: Spawned; url: string }> {
  if (weListen) {
    const url = await listenOn(s, t, dir, "ours");
    return { cat: nngcat(args(["--dial", url])), url };
  }
  const url = await listenUrl(t, dir, "cat", false);
  const cat = nngcat(args(["--listen", url]));
  await waitListening(url);
  await s.dial(url);
  return { cat, url };
}

const ROLES = [
  { name: "we listen, nngcat dials", weListen: true },
  { name: "nngcat listens, we dial", weListen: false },
] as const;

describePeer("libnng (nngcat)", nngcatAvailable(), () => {
  describe.each(TRANSPORTS)("over %s", (t) => {
    describe.each(ROLES)("$name", ({ weListen }) => {
      it("our REQ: nngcat REP sees each request and answers each with its 1.5 MiB reply", async () => {
        const req = ours.req();
        const reply = randomBytes(BIG);
        const requests = [
          Buffer.from("handshake"),
          Buffer.alloc(0),
          randomBytes(2000),
          numbered(3, BIG),
        ];
        const { cat, url } = await withNngcat(req, t, weListen, (where) => [
          "--rep0",
          ...where,
          "--file",
          file(reply),
          "--hex",
          "--count",
          String(requests.length),
        ]);
        for (const r of requests) {
          await req.send(r);
          expect((await req.recv()).equals(reply)).toBe(true);
        }
        expect(await finished(cat)).toEqual(requests);
        if (weListen) await closeAndCheckFile(req, url);
      });

      it("their REQ: nngcat gets our REP's reply to each of its 3 requests", async () => {
        const rep = ours.rep();
        const request = Buffer.concat([Buffer.from([0, 0x80, 0xff]), randomBytes(BIG)]);
        const { cat, url } = await withNngcat(rep, t, weListen, (where) => [
          "--req0",
          ...where,
          "--file",
          file(request),
          "--hex",
          "--count",
          "3",
          "--interval",
          "1",
        ]);
        for (let i = 0; i < 3; i++) {
          const got = await rep.recv();
          expect(got.equals(request)).toBe(true);
          await rep.send(Buffer.from(`reply ${i}`));
        }
        expect((await finished(cat)).map(String)).toEqual(["reply 0", "reply 1", "reply 2"]);
        if (weListen) await closeAndCheckFile(rep, url);
      });

      it("our PUSH: nngcat PULL prints every message, in order", async () => {
        const push = ours.push();
        const msgs = Array.from({ length: 200 }, (_, i) =>
          numbered(i, i === 0 ? 0 : i === 100 ? BIG : 100),
        );
        const { cat, url } = await withNngcat(push, t, weListen, (where) => [
          "--pull0",
          ...where,
          "--hex",
          "--count",
          String(msgs.length),
        ]);
        for (const m of msgs) await push.send(m);
        const got = await finished(cat);
        expect(got.length).toBe(msgs.length);
        expect(got.every((g, i) => g.equals(msgs[i]!))).toBe(true);
        if (weListen) await closeAndCheckFile(push, url);
      });

      it("their PUSH: our PULL receives all of nngcat's messages", async () => {
        const pull = ours.pull();
        const data = randomBytes(1000);
        const { cat, url } = await withNngcat(pull, t, weListen, (where) => [
          "--push0",
          ...where,
          "--file",
          file(data),
          "--count",
          "300",
        ]);
        for (let i = 0; i < 300; i++) expect((await pull.recv()).equals(data)).toBe(true);
        await finished(cat);
        if (weListen) await closeAndCheckFile(pull, url);
      });
    });

    it("our REQ dialing nngcat PULL: PORTABLE_E_PEER_PROTOCOL, and nngcat receives nothing", async () => {
      const url = await listenUrl(t, dir, "pull", false);
      const cat = nngcat(["--pull0", "--listen", url, "--hex"]);
      await waitListening(url);
      const req = ours.req({ sendTimeout: 500 });
      expect((await rejection(req.dial(url))).code).toBe("PORTABLE_E_PEER_PROTOCOL");
      await req.dial(url, { blocking: false });
      expect((await rejection(req.send("should never arrive"))).code).toBe("PORTABLE_E_TIMEOUT");
      await reapAll();
      expect(parseNngcatHex(cat.output().stdout.toString())).toEqual([]);
    });
  });

  it("our listener takes over an ipc path a killed nngcat left behind", async () => {
    const url = dir.url("stale");
    const dead = nngcat(["--pull0", "--listen", url, "--hex"]);
    await waitListening(url);
    dead.child.kill("SIGKILL");
    await dead.exited;
    expect(existsSync(ipcPath(url))).toBe(true);
    const pull = ours.pull();
    await pull.listen(url);
    const push = nngcat(["--push0", "--dial", url, "--data", "after", "--count", "1"]);
    expect((await pull.recv()).toString()).toBe("after");
    await finished(push);
    await closeAndCheckFile(pull, url);
  });
});
