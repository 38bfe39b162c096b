// Protobuf binary wire primitives for version 2 (PROTOCOL.md §12.2): a
// growable writer, a bounded reader, and google.protobuf.Struct / Value /
// ListValue mapped to plain JSON values. Encoding is deterministic: fields in
// number order, Struct keys sorted by code point (as §4.1 sorts user data).

import { ProtocolError } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";
import { compareCodePoints } from "./go-json.js";

/** Nesting of Struct/ListValue a decoder follows before it refuses the message. */
export const MAX_V2_DEPTH = 100;

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export class PbWriter {
  buf: Buffer;
  pos = 0;
  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }
  /** A non-negative integer up to 2^53 - 1 as a varint. */
  varint(v: number): void {
    this.ensure(10);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }
  /** A signed 64-bit integer (int64): negatives take ten bytes, as two's complement. */
  int64(v: number): void {
    if (v >= 0) {
      this.varint(v);
      return;
    }
    let u = BigInt.asUintN(64, BigInt(v));
    this.ensure(10);
    while (u > 0x7fn) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
  }
  tag(no: number, wire: number): void {
    this.varint(no * 8 + wire);
  }
  double(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  string(s: string): void {
    // Lone surrogates become U+FFFD (ef bf bd), as §4.1 says for JSON text.
    const max = s.length * 3;
    this.ensure(max + 5);
    const start = this.pos;
    this.pos += 5;
    const n = this.buf.write(s, this.pos, "utf8");
    this.finishLen(start, n);
  }
  /** Writes a length-delimited field whose content `body` writes. */
  len(no: number, body: () => void): void {
    this.tag(no, WIRE_LEN);
    this.ensure(5);
    const start = this.pos;
    this.pos += 5;
    body();
    this.finishLen(start, this.pos - start - 5);
  }
  /** Puts the varint length `n` at `start` and moves the `n` content bytes after it. */
  private finishLen(start: number, n: number): void {
    let size = 1;
    for (let v = n; v > 0x7f; v = Math.floor(v / 128)) size++;
    const content = start + 5;
    // The 5 bytes at `start` are already reserved: no ensure() here, which could
    // grow the buffer and copy only the bytes before `start`.
    this.pos = start;
    for (let v = n; ; v = Math.floor(v / 128)) {
      if (v <= 0x7f) {
        this.buf[this.pos++] = v;
        break;
      }
      this.buf[this.pos++] = (v % 128) | 0x80;
    }
    if (size !== 5) this.buf.copyWithin(this.pos, content, content + n);
    this.pos += n;
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class PbReader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    readonly kind: string,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }
  fail(field: string, detail: string): never {
    throw new ProtocolError("PORTABLE_E_DECODE", this.kind, field, detail);
  }
  done(): boolean {
    return this.pos >= this.end;
  }
  /** A varint as a number; `big` for values above 2^53 - 1 (and negative int64). */
  varint(field: string): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail(field, "truncated varint");
      const b = this.buf[this.pos++] as number;
      if (i === 9 && b > 1) this.fail(field, "varint longer than 64 bits");
      result += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (i >= 7 && !Number.isSafeInteger(result)) return this.big(field, i + 1);
        return result;
      }
      mul *= 128;
    }
    return this.fail(field, "varint longer than 10 bytes");
  }
  /** Re-reads the last varint of `n` bytes exactly; negative when it is a negative int64. */
  private big(field: string, n: number): number {
    let u = 0n;
    for (let i = n - 1; i >= 0; i--)
      u = (u << 7n) | BigInt((this.buf[this.pos - n + i] as number) & 0x7f);
    const s = BigInt.asIntN(64, u);
    if (s < 0n && s >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(s);
    return this.fail(field, `integer ${s} is not a safe integer`);
  }
  /** Field number and wire type of the next field. */
  tag(path: string): [number, number] {
    const t = this.varint(path);
    const no = Math.floor(t / 8);
    const wire = t % 8;
    if (no === 0) this.fail(path, "field number 0");
    if (wire !== WIRE_VARINT && wire !== WIRE_FIXED64 && wire !== WIRE_LEN && wire !== WIRE_FIXED32)
      this.fail(path, `field ${no} has wire type ${wire}, which version 2 does not use`);
    return [no, wire];
  }
  /** The [start, end) of a length-delimited field's content. */
  lenRange(field: string): [number, number] {
    const n = this.varint(field);
    if (n > this.end - this.pos) this.fail(field, `length ${n} runs past the end of the message`);
    const start = this.pos;
    this.pos += n;
    return [start, this.pos];
  }
  string(field: string): string {
    const [s, e] = this.lenRange(field);
    return this.buf.toString("utf8", s, e);
  }
  double(field: string): number {
    if (this.end - this.pos < 8) this.fail(field, "truncated double");
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  skip(no: number, wire: number, path: string): void {
    const field = path ? `${path}.#${no}` : `#${no}`;
    if (wire === WIRE_VARINT) this.varint(field);
    else if (wire === WIRE_LEN) this.lenRange(field);
    else {
      const n = wire === WIRE_FIXED64 ? 8 : 4;
      if (this.end - this.pos < n) this.fail(field, "truncated fixed-size field");
      this.pos += n;
    }
  }
  /** A sub-reader over a length-delimited field's content. */
  sub(field: string): PbReader {
    const [s, e] = this.lenRange(field);
    return new PbReader(this.buf, this.kind, s, e);
  }
}

const at = (path: string, i: number | string) =>
  typeof i === "number" ? `${path}[${i}]` : path ? `${path}.${i}` : i;

function encodeError(kind: string, field: string, detail: string): never {
  throw new ProtocolError("PORTABLE_E_ENCODE", kind, field, detail);
}

/** Writes the content of a google.protobuf.Value. */
export function writeValue(w: PbWriter, v: JsonValue, kind: string, path: string): void {
  if (v === null) {
    w.tag(1, WIRE_VARINT);
    w.byte(0);
  } else if (typeof v === "number") {
    if (!Number.isFinite(v)) encodeError(kind, path, `${v} has no JSON form`);
    w.tag(2, WIRE_FIXED64);
    w.double(v);
  } else if (typeof v === "string") {
    w.tag(3, WIRE_LEN);
    w.string(v);
  } else if (typeof v === "boolean") {
    w.tag(4, WIRE_VARINT);
    w.byte(v ? 1 : 0);
  } else if (Array.isArray(v)) {
    w.len(6, () => writeList(w, v, kind, path));
  } else if (typeof v === "object") {
    w.len(5, () => writeStruct(w, v, kind, path));
  } else {
    encodeError(kind, path, `${typeof v} is not a JSON value`);
  }
}

/** Writes the content of a google.protobuf.Struct, keys sorted by code point. */
export function writeStruct(w: PbWriter, o: JsonObject, kind: string, path: string): void {
  const keys = Object.keys(o).sort(compareCodePoints);
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    w.len(1, () => {
      w.tag(1, WIRE_LEN);
      w.string(k);
      w.len(2, () => writeValue(w, v, kind, at(path, k)));
    });
  }
}

/** Writes the content of a google.protobuf.ListValue. */
export function writeList(w: PbWriter, a: readonly JsonValue[], kind: string, path: string): void {
  a.forEach((v, i) => {
    w.len(1, () => writeValue(w, v ?? null, kind, at(path, i)));
  });
}

function setKey(o: JsonObject, k: string, v: JsonValue): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

export function readValue(r: PbReader, path: string, depth: number): JsonValue {
  if (depth > MAX_V2_DEPTH) r.fail(path, `nested deeper than ${MAX_V2_DEPTH}`);
  let v: JsonValue = null;
  while (!r.done()) {
    const [no, wire] = r.tag(path);
    const want = no === 2 ? WIRE_FIXED64 : no === 1 || no === 4 ? WIRE_VARINT : WIRE_LEN;
    if (no > 6) {
      r.skip(no, wire, path);
      continue;
    }
    if (wire !== want) r.fail(path, `Value field ${no} has wire type ${wire}`);
    if (no === 1) {
      r.varint(path);
      v = null;
    } else if (no === 2) {
      v = r.double(path);
      if (!Number.isFinite(v)) r.fail(path, `${v} has no JSON form`);
    } else if (no === 3) v = r.string(path);
    else if (no === 4) v = r.varint(path) !== 0;
    else if (no === 5) v = readStruct(r.sub(path), path, depth + 1);
    else v = readList(r.sub(path), path, depth + 1);
  }
  return v;
}

export function readStruct(r: PbReader, path: string, depth: number): JsonObject {
  if (depth > MAX_V2_DEPTH) r.fail(path, `nested deeper than ${MAX_V2_DEPTH}`);
  const o: JsonObject = {};
  while (!r.done()) {
    const [no, wire] = r.tag(path);
    if (no !== 1) {
      r.skip(no, wire, path);
      continue;
    }
    if (wire !== WIRE_LEN) r.fail(path, `Struct field 1 has wire type ${wire}`);
    const e = r.sub(path);
    let key = "";
    let value: JsonValue = null;
    let valueAt: [number, number] | undefined;
    while (!e.done()) {
      const [eno, ewire] = e.tag(path);
      if (eno === 1 && ewire === WIRE_LEN) key = e.string(path);
      else if (eno === 2 && ewire === WIRE_LEN) valueAt = e.lenRange(path);
      else if (eno === 1 || eno === 2)
        e.fail(path, `Struct entry field ${eno} has wire type ${ewire}`);
      else e.skip(eno, ewire, path);
    }
    if (valueAt)
      value = readValue(
        new PbReader(r.buf, r.kind, valueAt[0], valueAt[1]),
        at(path, key),
        depth + 1,
      );
    setKey(o, key, value);
  }
  return o;
}

export function readList(r: PbReader, path: string, depth: number): JsonValue[] {
  if (depth > MAX_V2_DEPTH) r.fail(path, `nested deeper than ${MAX_V2_DEPTH}`);
  const a: JsonValue[] = [];
  while (!r.done()) {
    const [no, wire] = r.tag(path);
    if (no !== 1) {
      r.skip(no, wire, path);
      continue;
    }
    if (wire !== WIRE_LEN) r.fail(at(path, a.length), `ListValue field 1 has wire type ${wire}`);
    a.push(readValue(r.sub(at(path, a.length)), at(path, a.length), depth + 1));
  }
  return a;
}
