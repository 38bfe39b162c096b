// Sink delivery: the host writes `count` rows, one `write` at a time (each
// awaited, as a rule's sink operator would), then an end mark; the run ends
// when the plugin's sink reports it received every row (without acks) or
// when the last write's ack is back (with `requireAck`). The floor: the same
// row bytes streamed over a bare Unix socket to a second process that counts
// them, or ping-ponged with a `{}` reply for the acked case.
// eKuiper's Go SDK never sends acks (its sink dials the ack channel and stays
// silent), so a Go `requireAck` write would only time out. Its acked row is
// measured with another per-row completion signal: the sink is started
// without `requireAck` and with `receipt: true`, writes the running count to
// the bench's notify socket after every row, and each write waits for that
// line before the next one. Same round trip per row; the return leg is a
// bare Unix socket instead of the host's NNG ack channel.
// Version 2 (§12.5): the TS plugin under the default host, `SINK_WRITERS`
// writers at once, each awaiting its own write (and ack): results queued
// together share a SinkRowsV2 message, and with requireAck up to the window
// of messages are unacked at a time.
import { join } from "node:path";
import { encodeSinkData } from "@portable-plugins/protocol";
import type { FloorPeer } from "../floor/peer.js";
import { dialRaw, rawPinger, streamFrames } from "../floor/raw.js";
import type { Runner } from "../interleave.js";
import { END_MARK, padFor, row } from "../payload.js";
import { type Subject, unique } from "../subject.js";

const SIZE = 100;
export const SINK_WRITERS = 16;
export const SINK_TS_V2 = `ts v2, ${SINK_WRITERS} concurrent writers`;
export const SINK_TS_V1_NOTE =
  "ts: the TS plugin under a host offering [1]: version 1, one JSON message per write";
export const SINK_TS_V2_NOTE = `ts v2: version 2 (negotiated; SinkRowsV2 with several results per message, cumulative acks, window 16, PROTOCOL.md §12.5): ${SINK_WRITERS} writers each awaiting its write; the ts row is the same plugin under a host offering [1], one write at a time`;
const REPORT_TIMEOUT_MS = 60_000;

export async function sinkRunner(
  s: Subject,
  requireAck: boolean,
  count: number,
  writers = 1,
): Promise<Runner<number>> {
  const receipt = requireAck && s.lang === "go";
  const sink = await s.host.sink(
    "benchsink",
    { ruleId: unique("benchout"), opId: "op1" },
    receipt ? { notify: s.notify.path, receipt } : { notify: s.notify.path, requireAck },
  );
  const pad = padFor(SIZE);
  const write = receipt
    ? async (i: number) => {
        await sink.write(row(i, pad));
        const got = await s.notify.next(REPORT_TIMEOUT_MS);
        if (got !== i + 1) throw new Error(`receipt ${got} for row ${i + 1}`);
      }
    : (i: number) => sink.write(row(i, pad));
  const once = async (n: number) => {
    const t = process.hrtime.bigint();
    if (writers === 1) for (let i = 0; i < n; i++) await write(i);
    else {
      let next = 0;
      const worker = async () => {
        while (next < n) await write(next++);
      };
      await Promise.all(Array.from({ length: writers }, worker));
    }
    await sink.write({ [END_MARK]: true });
    const got = await s.notify.next(REPORT_TIMEOUT_MS);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    if (got !== n) throw new Error(`the sink received ${got} of ${n} rows`);
    return seconds;
  };
  return {
    warm: async () => void (await once(Math.max(100, Math.floor(count / 10)))),
    sample: () => once(count),
    close: () => sink.close(),
  };
}

export async function sinkFloor(
  peer: FloorPeer,
  dir: string,
  requireAck: boolean,
  count: number,
): Promise<Runner<number>> {
  const path = join(dir, `floor-sink-${requireAck ? "ack" : "noack"}.sock`);
  await peer.request({ op: "serve", path, mode: requireAck ? "ack" : "count" }, "ready");
  const sock = await dialRaw(path);
  const body = encodeSinkData(row(0, padFor(SIZE)));
  const ping = rawPinger(sock);
  const once = async (n: number) => {
    if (!requireAck) await peer.request({ op: "expect", count: n }, "expecting");
    const t = process.hrtime.bigint();
    if (requireAck) {
      for (let i = 0; i < n; i++) await ping(body);
    } else {
      await streamFrames(sock, body, n);
      await peer.next("done");
    }
    return Number(process.hrtime.bigint() - t) / 1e9;
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
