// The version-2 receiving side of a sink instance (PROTOCOL.md §12.5): each
// SinkRowsV2 message is handed to the sink (its rows one at a time with
// `sendSingle`, as version 1 hands one row per message; else all its rows at
// once; `raw` bytes as they came), and, when the host asks for acks, acked
// cumulatively: successes are covered by one ack while more messages are
// already waiting, never held back when none is; a failure gets an ack of its
// own, after an ack for the successes before it, with the class the sink's
// error says (RETRYABLE by default, §12.6).

import type { PullSocket, PushSocket } from "@portable-plugins/nng";
import {
  decodeSinkRows,
  encodeSinkAckV2,
  errorV2,
  type SinkAckV2,
  type SinkRowsV2,
} from "@portable-plugins/protocol";
import type { Context, Sink } from "../api.js";
import { messageOf } from "../errors.js";
import { errorClassOf } from "../plugin-error.js";
import { rowsData, sinkData } from "./sink-data.js";

export interface ReceiverV2Options {
  readonly pull: PullSocket;
  /** Present when the host asked for acks. */
  readonly ack: PushSocket | undefined;
  readonly sendSingle: boolean;
  readonly sink: Sink;
  readonly ctx: Context;
  readonly signal: AbortSignal;
}

async function handle(o: ReceiverV2Options, msg: SinkRowsV2): Promise<void> {
  if (msg.raw !== undefined && msg.raw.length > 0) {
    await o.sink.collect(o.ctx, sinkData(Buffer.from(msg.raw)));
  } else if (o.sendSingle) {
    for (const row of msg.rows) await o.sink.collect(o.ctx, rowsData([row], true));
  } else {
    await o.sink.collect(o.ctx, rowsData(msg.rows, false));
  }
}

/** Runs until the pull socket closes. */
export async function receiveSinkV2(o: ReceiverV2Options): Promise<void> {
  const log = o.ctx.logger;
  const send = async (ack: SinkAckV2) => {
    if (!o.ack || o.signal.aborted) return;
    await o.ack.send(encodeSinkAckV2(ack)).catch((err: unknown) => {
      if (!o.signal.aborted) log.warn(`ack ${ack.seq} not delivered: ${messageOf(err)}`);
    });
  };
  /** The last handled message not acked yet. */
  let pending: number | undefined;
  for (;;) {
    let body = o.pull.tryRecv();
    if (body === undefined) {
      // Nothing else to handle: no ack may wait (§12.5).
      if (pending !== undefined) await send({ seq: pending });
      pending = undefined;
      try {
        body = await o.pull.recv();
      } catch {
        return; // closed
      }
    }
    let msg: SinkRowsV2;
    try {
      msg = decodeSinkRows(body);
    } catch (err) {
      // Without a seq there is nothing to ack; the host's ack timeout covers it.
      log.error(`undecodable version-2 sink message: ${messageOf(err)}`);
      continue;
    }
    try {
      await handle(o, msg);
      pending = msg.seq;
    } catch (err) {
      const text = messageOf(err);
      log.error(`collect failed: ${text}`);
      if (pending !== undefined && pending < msg.seq) await send({ seq: pending });
      pending = undefined;
      const cls = errorClassOf(err, "RETRYABLE");
      await send({ seq: msg.seq, error: errorV2("PORTABLE_E_SINK", cls, text) });
    }
  }
}
