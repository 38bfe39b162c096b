// Version-2 data channels (PROTOCOL.md §12.4, §12.5): many source rows per
// message, sink rows with a sequence number, and acks that cover every
// message up to a sequence number. The wrappers add limits and the rules the
// schema cannot express (rows or raw, not both; acks move forward).

import { readStruct } from "../codec/pb-struct.js";
import { PbReader, PbWriter } from "../codec/pb-wire.js";
import { V2_VERSION_BYTE, type V2Encoding } from "../codec/v2-codec.js";
import { ProtocolError } from "../errors.js";
import {
  ErrorV2,
  SinkAckV2,
  SinkRowsV2,
  SinkRowsV2Descriptor,
  SourceRowsV2,
  SourceRowV2,
  V2_KINDS,
} from "../gen/portable-v2.js";
import type { JsonObject } from "../json.js";
import { checkLimits, V2_LIMITS } from "./v2-limits.js";
import { readRowsDirect } from "./v2-source-rows.js";

export function encodeSourceRows(
  rows: readonly SourceRowV2[],
  error?: ErrorV2,
  encoding?: V2Encoding,
): Buffer {
  const body = SourceRowsV2.encode(
    error ? { rows: [...rows], error } : { rows: [...rows] },
    encoding,
  );
  checkLimits("SourceRowsV2", "rows", rows.length, V2_LIMITS.maxRowsPerMessage, body.length);
  return body;
}

/**
 * One row encoded on its own (the bare SourceRowV2 message), so a sender can
 * count the bytes of a batch as it fills it (§12.4 coalescing).
 */
export function encodeSourceRow(row: SourceRowV2): Buffer {
  return SourceRowV2.encode(row);
}

/**
 * The protobuf body of SourceRowsV2 from rows encoded with `encodeSourceRow`:
 * the same bytes `encodeSourceRows` writes for those rows (field 1 per row,
 * then the error as field 2).
 */
export function sourceRowsBody(rows: readonly Uint8Array[], error?: ErrorV2): Buffer {
  let size = 2;
  for (const r of rows) size += r.length + 6;
  const w = new PbWriter(size + 64);
  w.byte(V2_VERSION_BYTE);
  w.byte(V2_KINDS.SourceRowsV2);
  for (const r of rows) {
    w.byte(0x0a);
    w.varint(r.length);
    w.ensure(r.length);
    w.buf.set(r, w.pos);
    w.pos += r.length;
  }
  if (error) {
    const e = ErrorV2.encode(error);
    w.byte(0x12);
    w.varint(e.length);
    w.ensure(e.length);
    w.buf.set(e, w.pos);
    w.pos += e.length;
  }
  const body = w.finish();
  checkLimits("SourceRowsV2", "rows", rows.length, V2_LIMITS.maxRowsPerMessage, body.length);
  return body;
}

export function decodeSourceRows(body: Uint8Array): SourceRowsV2 {
  // Hot path: a body of rows only, read directly (v2-source-rows.ts).
  const rows = Buffer.isBuffer(body) ? readRowsDirect(body) : undefined;
  const msg = rows && rows.length > 0 ? { rows } : SourceRowsV2.decode(body);
  checkLimits("SourceRowsV2", "rows", msg.rows.length, V2_LIMITS.maxRowsPerMessage, body.length);
  if (msg.rows.length === 0 && !msg.error)
    throw new ProtocolError("PORTABLE_E_DECODE", "SourceRowsV2", "", "no rows and no error");
  return msg;
}

export function encodeSinkRows(msg: SinkRowsV2, encoding?: V2Encoding): Buffer {
  checkRowsOrRaw("PORTABLE_E_ENCODE", msg);
  const body = SinkRowsV2.encode(msg, encoding);
  checkLimits("SinkRowsV2", "rows", msg.rows.length, V2_LIMITS.maxRowsPerMessage, body.length);
  return body;
}

/** Tags of SinkRowsV2's seq and rows (from the generated descriptor). */
const [T_SEQ, T_ROWS] = ["seq", "rows"].map((name) => {
  const f = SinkRowsV2Descriptor.fields.find((x) => x.name === name);
  if (!f) throw new Error(`SinkRowsV2 has no field ${name}`);
  return f.no * 8 + (f.kind === "uint64" ? 0 : 2);
}) as [number, number];

/**
 * A protobuf SinkRowsV2 body of seq and rows only, read without the
 * descriptor walk (the hot path); undefined for anything else (the JSON
 * form, raw, unknown fields, bad bytes), which the general decoder reads or
 * refuses with its typed error. Same value as the general decoder.
 */
export function readSinkRowsDirect(body: Uint8Array): SinkRowsV2 | undefined {
  if (!Buffer.isBuffer(body) || body.length < 3) return undefined;
  if (body[0] !== V2_VERSION_BYTE || body[1] !== V2_KINDS.SinkRowsV2) return undefined;
  const r = new PbReader(body, "SinkRowsV2", 2);
  const end = body.length;
  let seq = 0;
  const rows: JsonObject[] = [];
  try {
    while (r.pos < end) {
      const t = body[r.pos++];
      if (t === T_SEQ) {
        seq = r.varint();
        if (seq < 0) return undefined;
      } else if (t === T_ROWS) {
        const e = r.len(end);
        rows.push(readStruct(r, e, "", 1));
        if (r.pos !== e) return undefined;
      } else return undefined;
    }
  } catch {
    return undefined;
  }
  return seq === 0 ? undefined : { seq, rows };
}

export function decodeSinkRows(body: Uint8Array): SinkRowsV2 {
  // Hot path: a body of seq and rows, read directly.
  const msg = readSinkRowsDirect(body) ?? SinkRowsV2.decode(body);
  checkLimits("SinkRowsV2", "rows", msg.rows.length, V2_LIMITS.maxRowsPerMessage, body.length);
  checkRowsOrRaw("PORTABLE_E_DECODE", msg);
  return msg;
}

function checkRowsOrRaw(code: "PORTABLE_E_DECODE" | "PORTABLE_E_ENCODE", msg: SinkRowsV2): void {
  const raw = msg.raw !== undefined && msg.raw.length > 0;
  if (raw && msg.rows.length > 0)
    throw new ProtocolError(code, "SinkRowsV2", "raw", "rows and raw in one message");
  if (!raw && msg.rows.length === 0)
    throw new ProtocolError(code, "SinkRowsV2", "rows", "neither rows nor raw");
}

export function encodeSinkAckV2(ack: SinkAckV2, encoding?: V2Encoding): Buffer {
  return SinkAckV2.encode(ack, encoding);
}

export function decodeSinkAckV2(body: Uint8Array): SinkAckV2 {
  return SinkAckV2.decode(body);
}

/**
 * What an ack settles, given the last sequence number already acked and the
 * last one sent (§12.5): messages `acked+1 … seq` are done, all of them
 * successfully except `seq` itself when the ack has an error. Throws
 * PORTABLE_E_MISMATCH for an ack that moves backwards or past what was sent.
 */
export function settleAck(
  ack: SinkAckV2,
  acked: number,
  sent: number,
): { readonly from: number; readonly to: number; readonly failed?: number } {
  if (ack.seq <= acked || ack.seq > sent)
    throw new ProtocolError(
      "PORTABLE_E_MISMATCH",
      "SinkAckV2",
      "seq",
      `ack for ${ack.seq}; acked up to ${acked}, sent up to ${sent}`,
    );
  return ack.error
    ? { from: acked + 1, to: ack.seq, failed: ack.seq }
    : { from: acked + 1, to: ack.seq };
}
