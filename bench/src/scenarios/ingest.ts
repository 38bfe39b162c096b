// Source ingest: a fresh source instance per run emits `count` rows of `size`
// bytes as fast as its SDK allows; the host iterates its SourceProxy. Timed
// from the first row to the last (count - 1 rows), so the start command is
// not counted. The
// floor: a second process streams the same envelope bytes over a bare Unix
// socket and this one counts frames (no decoding).
// The TS plugin's rows are measured twice in one run (§12.7): under the
// default host it agrees on version 2 (rows coalesced, protobuf, §12.4);
// under a host offering only [1] it speaks version 1 (an envelope per row).
import { join } from "node:path";
import { encodeSourceData } from "@portable-plugins/protocol";
import type { FloorPeer } from "../floor/peer.js";
import { dialRaw, readFrames } from "../floor/raw.js";
import type { Runner } from "../interleave.js";
import { padFor, row } from "../payload.js";
import { type Subject, unique } from "../subject.js";

/** The impl label of the TS plugin under a host offering only version 1. */
export const TS_V1 = "ts v1";
export const TS_V1_NOTE =
  "ts v1: the TS plugin under a host offering [1]: version 1, one JSON envelope per row";
export const TS_V2_NOTE =
  "ts: version 2 (negotiated): rows coalesced into SourceRowsV2, protobuf (§12.4)";

/** A run that gets no row for this long fails. */
const STALL_MS = 10_000;

export function ingestRunner(s: Subject, size: number, count: number): Runner<number> {
  const once = async (n: number): Promise<number> => {
    const src = await s.host.source(
      "benchsource",
      { ruleId: unique("benchin"), opId: "op1" },
      { config: { count: n, size } },
    );
    // One watchdog per run, not a timer per row: a stalled source is closed,
    // which ends the iteration.
    let i = 0;
    let seen = -1;
    let stalled = false;
    const watchdog = setInterval(() => {
      if (i === seen) {
        stalled = true;
        void src.close();
      }
      seen = i;
    }, STALL_MS);
    try {
      let first = 0n;
      for (; i < n; i++) {
        const r = await src.next();
        if (r.done) break;
        if (i === 0) first = process.hrtime.bigint();
      }
      if (i < n) throw new Error(`source ${stalled ? "stalled" : "ended"} after ${i} of ${n} rows`);
      return Number(process.hrtime.bigint() - first) / 1e9;
    } finally {
      clearInterval(watchdog);
      await src.close();
    }
  };
  return {
    warm: async () => void (await once(Math.max(100, Math.floor(count / 10)))),
    sample: () => once(count),
    close: async () => undefined,
  };
}

export async function ingestFloor(
  peer: FloorPeer,
  dir: string,
  size: number,
  count: number,
): Promise<Runner<number>> {
  const path = join(dir, `floor-ingest-${size}.sock`);
  await peer.request({ op: "serve", path, mode: "count" }, "ready");
  const sock = await dialRaw(path);
  const body = encodeSourceData(row(0, padFor(size)), null).toString("base64");
  let want = 0;
  let got = 0;
  let first = 0n;
  let done: ((s: number) => void) | undefined;
  readFrames(sock, () => {
    if (++got === 1) first = process.hrtime.bigint();
    if (got === want) done?.(Number(process.hrtime.bigint() - first) / 1e9);
  });
  const once = async (n: number) => {
    want = n;
    got = 0;
    const finished = new Promise<number>((r) => {
      done = r;
    });
    await peer.request({ op: "stream", count: n, body }, "streamed");
    return finished;
  };
  return {
    warm: async () => void (await once(Math.max(100, Math.floor(count / 10)))),
    sample: () => once(count),
    async close() {
      sock.destroy();
      await peer.request({ op: "stop" }, "stopped");
    },
  };
}
