// Function Exec, sequential: one call at a time through the host's function
// proxy (`exec([row], ctx)` -> the plugin's benchecho, benchechogo in Go ->
// the row back), and the floor: the same Exec call bytes ping-ponged over a
// bare Unix socket. The same Go plugin under a Go host: exec-gohost.ts.
// Version 2 (PROTOCOL.md §12.3): `execConcurrentRunner`, 16 callers at once
// on one host and plugin that agreed on version 2, timed by the wall clock.
// The sequential `ts` row stays version 1: the TS plugin under a host offering
// only [1] (the default host agrees on version 2 with it).
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

/** Per-call latencies (µs), and the wall time of the whole sample when calls overlapped. */
export type Timed = number[] & { wallUs?: number };

/** `calls` Exec calls by `callers` concurrent callers, each waiting for its result. */
async function concurrent(calls: number, callers: number, call: () => Promise<unknown>) {
  const per = Math.ceil(calls / callers);
  const t0 = process.hrtime.bigint();
  const parts = await Promise.all(Array.from({ length: callers }, () => timed(per, call)));
  const out: Timed = parts.flat();
  out.wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  return out;
}

export const CALLERS = 16;
/** The impl label of the v2 row: the TS plugin under the default host, 16 callers at once. */
export const EXEC_TS_V2 = `ts v2, ${CALLERS} concurrent callers`;
export const EXEC_TS_V2_NOTE = `ts v2: version 2 (negotiated; call batches, PROTOCOL.md §12.3): ${CALLERS} callers each waiting for its result; calls/s by the wall clock, p50/p99 per call`;
/** The impl label of the typed row: the `ts` row's plugin with a signature for its function. */
export const EXEC_TS_TYPED = "ts typed";
export const EXEC_TS_TYPED_NOTE =
  "ts typed: as ts (version 1, one call at a time), the function declaring a signature (PROTOCOL.md §6.4.1): the host checks each call's arguments before sending it";
export const EXEC_TS_V1_NOTE =
  "ts: the TS plugin under a host offering [1]: version 1, one call at a time";

export async function execConcurrentRunner(s: Subject, calls: number): Promise<Runner<Timed>> {
  const fn = await s.host.function(FUNCTION_SYMBOL[s.lang]);
  if (s.host.info(s.plugin)?.protocolVersion !== 2)
    throw new Error(`${s.plugin} did not agree on protocol version 2`);
  const call = () => fn.exec([ROW], CTX);
  return {
    warm: async () => void (await concurrent(Math.max(160, calls / 10), CALLERS, call)),
    sample: () => concurrent(calls, CALLERS, call),
    close: () => fn.close(),
  };
}

/** Sequential calls; with `version`, the run fails unless the plugin agreed on it. */
export async function execRunner(
  s: Subject,
  calls: number,
  version?: number,
): Promise<Runner<Timed>> {
  const fn = await s.host.function(FUNCTION_SYMBOL[s.lang]);
  if (version !== undefined && s.host.info(s.plugin)?.protocolVersion !== version) {
    await fn.close();
    throw new Error(`${s.plugin} did not agree on protocol version ${version}`);
  }
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
): Promise<Runner<Timed>> {
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
