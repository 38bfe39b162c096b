// Function Exec, sequential: one call at a time through the host's function
// proxy (`exec([row], ctx)` -> the plugin's benchecho, benchechogo in Go ->
// the row back), and the floor: the same Exec call bytes ping-ponged over a
// bare Unix socket. The same Go plugin under a Go host: exec-gohost.ts.
import { join } from "node:path";
import { encodeFunctionCall } from "@portable-plugins/protocol";
import type { FloorPeer } from "../floor/peer.js";
import { dialRaw, rawPinger } from "../floor/raw.js";
import type { Runner } from "../interleave.js";
import { padFor, row } from "../payload.js";
import { FUNCTION_SYMBOL } from "../settings.js";
import type { Subject } from "../subject.js";

/** The argument of every call (100 B) and the context the calls carry; the Go host's too. */
export const ROW = row(0, padFor(100));
export const CTX = { ruleId: "benchrule", opId: "op1" };

async function timed(n: number, call: () => Promise<unknown>): Promise<number[]> {
  const lat: number[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await call();
    lat[i] = Number(process.hrtime.bigint() - t) / 1000;
  }
  return lat;
}

export async function execRunner(s: Subject, calls: number): Promise<Runner<number[]>> {
  const fn = await s.host.function(FUNCTION_SYMBOL[s.lang]);
  const call = () => fn.exec([ROW], CTX);
  return {
    warm: async () => void (await timed(Math.max(100, calls / 10), call)),
    sample: () => timed(calls, call),
    close: () => fn.close(),
  };
}

export async function execFloor(
  peer: FloorPeer,
  dir: string,
  calls: number,
): Promise<Runner<number[]>> {
  const path = join(dir, "floor-exec.sock");
  await peer.request({ op: "serve", path, mode: "echo" }, "ready");
  const sock = await dialRaw(path);
  const ping = rawPinger(sock);
  const body = encodeFunctionCall({
    func: "Exec",
    args: [ROW],
    context: { ...CTX, instanceId: 0, funcId: 0 },
  });
  const call = () => ping(body);
  return {
    warm: async () => void (await timed(Math.max(100, calls / 10), call)),
    sample: () => timed(calls, call),
    async close() {
      sock.destroy();
      await peer.request({ op: "stop" }, "stopped");
    },
  };
}
