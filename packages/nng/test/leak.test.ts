// Resource hygiene: thousands of open/listen/dial/send/close cycles must leave no file
// descriptor, socket, server or timer behind.
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PullSocket, PushSocket, RepSocket, ReqSocket } from "../src/index.js";
import { ipcUrl, sleep } from "./support.js";

const CYCLES = 2000;

function openFds(): number {
  return readdirSync("/proc/self/fd").length;
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) counts[type] = (counts[type] ?? 0) + 1;
  return counts;
}

async function pushPullCycle(i: number): Promise<void> {
  const pull = new PullSocket({ recvTimeout: 5000 });
  const push = new PushSocket({ sendTimeout: 5000 });
  const url = ipcUrl("leak");
  await pull.listen(url);
  await push.dial(url);
  await push.send(`cycle ${i}`);
  await pull.recv();
  await Promise.all([push.close(), pull.close()]);
}

async function reqRepCycle(i: number): Promise<void> {
  const rep = new RepSocket({ recvTimeout: 5000 });
  const req = new ReqSocket({ recvTimeout: 5000, resendTime: 1000 });
  const listener = await rep.listen("tcp://127.0.0.1:0");
  await req.dial(listener.url);
  await req.send(`cycle ${i}`);
  await rep.recv();
  await rep.send("ok");
  await req.recv();
  await req.send("left outstanding: its resend timer must go with close");
  await Promise.all([req.close(), rep.close()]);
}

describe("resource leaks", () => {
  it.skipIf(process.platform !== "linux")(
    `leaves no fds, sockets or timers after ${CYCLES} open/listen/dial/send/close cycles`,
    async () => {
      await pushPullCycle(-1); // warm up lazily created handles (DNS, crypto) before measuring
      await reqRepCycle(-1);
      // Vitest keeps a short-lived timer of its own at test start: let it expire first.
      await sleep(1100);
      const fdsBefore = openFds();
      const before = resources();
      for (let i = 0; i < CYCLES; i++) {
        if (i % 2 === 0) await pushPullCycle(i);
        else await reqRepCycle(i);
      }
      await sleep(50);
      expect(openFds()).toBe(fdsBefore);
      const after = resources();
      for (const [type, count] of Object.entries(after)) {
        expect({ type, count }).toEqual({ type, count: Math.min(count, before[type] ?? 0) });
      }
    },
    120_000,
  );
});
