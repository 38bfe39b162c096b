// Builds one SourceRowsV2 body (PROTOCOL.md §12.4) row by row, each row
// written straight into the body's buffer (no buffer per row, no copy when
// the body is finished). The bytes are those of `encodeSourceRows` for the
// same rows; a sender cuts bodies at the limits of §12.2 with `bytes`,
// `rows` and `popLast`. The reading side: `readRowsDirect`, the rows of a
// plain rows body without the descriptor walk.

import { readStruct } from "../codec/pb-struct.js";
import { writeShapeField } from "../codec/pb-struct-direct.js";
import { PbReader, PbWriter } from "../codec/pb-wire.js";
import { V2_VERSION_BYTE } from "../codec/v2-codec.js";
import { ErrorV2, SourceRowV2, V2_KINDS } from "../gen/portable-v2.js";
import type { JsonObject } from "../json.js";
import { checkLimits, V2_LIMITS } from "./v2-limits.js";

const hasKeys = (o: JsonObject | undefined | null): o is JsonObject => {
  if (o === undefined || o === null) return false;
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return false;
};

export class SourceRowsBuilder {
  readonly #w: PbWriter;
  #rows = 0;

  /** `sizeHint`: the bytes the body is expected to reach (e.g. the last body's size). */
  constructor(sizeHint = 4096) {
    this.#w = new PbWriter(Math.max(64, Math.min(sizeHint, V2_LIMITS.maxMessageBytes + 4096)));
    this.#w.byte(V2_VERSION_BYTE);
    this.#w.byte(V2_KINDS.SourceRowsV2);
  }

  /** Rows in the body so far. */
  get rows(): number {
    return this.#rows;
  }

  /** Bytes of the body so far (header included). */
  get bytes(): number {
    return this.#w.pos;
  }

  /**
   * Appends one row. On an error (a value with no protobuf form) nothing is
   * appended and the error is the one `SourceRowV2.encode` throws.
   */
  add(row: SourceRowV2): void {
    this.addRow(row.message, row.meta);
  }

  /** As `add`, from the row's message and meta (no row object needed). */
  addRow(message: JsonObject, meta?: JsonObject | null): void {
    const w = this.#w;
    const start = w.pos;
    try {
      const s = w.lenField(1);
      if (hasKeys(message))
        writeShapeField(w, 1, "struct", message, "SourceRowV2", "", "message", "message");
      if (hasKeys(meta)) writeShapeField(w, 2, "struct", meta, "SourceRowV2", "", "meta", "meta");
      w.end(s);
    } catch (e) {
      w.pos = start;
      // The path-aware encoder names the field.
      SourceRowV2.encode(hasKeys(meta) ? { message, meta } : { message });
      throw e;
    }
    this.#rows++;
  }

  /** Appends a row already encoded with `encodeSourceRow`. */
  addEncoded(row: Uint8Array): void {
    const w = this.#w;
    w.byte(0x0a);
    w.varint(row.length);
    w.ensure(row.length);
    w.buf.set(row, w.pos);
    w.pos += row.length;
    this.#rows++;
  }

  /**
   * Takes back the last row, which started at byte `mark` (`bytes` before it
   * was added): its SourceRowV2 bytes, for `addEncoded` into the next body.
   */
  popLast(mark: number): Buffer {
    const w = this.#w;
    let p = mark + 1; // after the tag 0x0a: the length varint
    while ((w.buf[p] as number) >= 0x80) p++;
    const row = Buffer.from(w.buf.subarray(p + 1, w.pos));
    w.pos = mark;
    this.#rows--;
    return row;
  }

  /** The whole body, with `error` after the rows; the builder is not used after this. */
  finish(error?: ErrorV2): Buffer {
    const w = this.#w;
    if (error) {
      const e = ErrorV2.encode(error);
      w.byte(0x12);
      w.varint(e.length);
      w.ensure(e.length);
      w.buf.set(e, w.pos);
      w.pos += e.length;
    }
    const body = w.finish();
    checkLimits("SourceRowsV2", "rows", this.#rows, V2_LIMITS.maxRowsPerMessage, body.length);
    return body;
  }
}

/** Thrown inside readRowsDirect: the body takes the general decoder. */
const GENERAL = Symbol("general");

function readRow(r: PbReader, end: number): SourceRowV2 {
  const buf = r.buf;
  let message: JsonObject = {};
  let meta: JsonObject | undefined;
  while (r.pos < end) {
    const t = buf[r.pos];
    r.pos++;
    if (t === 0x0a) message = readStruct(r, r.len(end), "", 1);
    else if (t === 0x12) meta = readStruct(r, r.len(end), "", 1);
    else throw GENERAL;
  }
  if (r.pos !== end) throw GENERAL;
  return meta !== undefined && hasKeys(meta) ? { message, meta } : { message };
}

/**
 * The rows of a protobuf SourceRowsV2 body that holds rows only (the hot
 * path, read without the descriptor walk); undefined for anything else (the
 * JSON form, an error field, unknown fields, bad bytes), which the general
 * decoder reads or refuses with its typed error.
 */
export function readRowsDirect(body: Buffer): SourceRowV2[] | undefined {
  if (body.length < 3 || body[0] !== V2_VERSION_BYTE || body[1] !== V2_KINDS.SourceRowsV2)
    return undefined;
  const r = new PbReader(body, "SourceRowsV2", 2);
  const end = body.length;
  const rows: SourceRowV2[] = [];
  try {
    while (r.pos < end) {
      if (body[r.pos] !== 0x0a) return undefined;
      r.pos++;
      const e = r.len(end);
      rows.push(readRow(r, e));
    }
  } catch {
    return undefined;
  }
  return rows;
}
