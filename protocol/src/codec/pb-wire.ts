// Protobuf binary wire primitives for version 2 (PROTOCOL.md §12.2): a
// growable writer and a reader
// (Struct / Value / ListValue: pb-struct.ts). Encoding is deterministic:
// fields in number order.
// Hot path: no closure or sub-reader per field; error paths are built only
// when an error is thrown (the reader keeps the current parent and key).

import { ProtocolError } from "../errors.js";

/** Nesting of Struct/ListValue a decoder follows before it refuses the message. */
export const MAX_V2_DEPTH = 100;

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LEN = 2;
export const WIRE_FIXED32 = 5;

export const at = (path: string, k: string | number): string =>
  typeof k === "number" ? `${path}[${k}]` : path ? (k === "" ? path : `${path}.${k}`) : k;

/**
 * Whether codecs build field paths. Off on the hot path; a codec that fails
 * runs again with paths on, so its error names the field (the same input
 * fails the same way).
 */
export const paths = { on: false };

/** `at`, or "" while paths are off. */
export const pathAt = (path: string, k: string | number): string => (paths.on ? at(path, k) : "");

/** Runs `f` with paths off; when it throws, runs it again with paths on. */
export function withPaths<T>(f: () => T): T {
  try {
    return f();
  } catch {
    paths.on = true;
    try {
      return f();
    } finally {
      paths.on = false;
    }
  }
}

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
  /** A length-prefixed UTF-8 string; a lone surrogate becomes U+FFFD (ef bf bd). */
  string(s: string): void {
    const n = s.length;
    if (n < 32) {
      this.ensure(n + 1);
      const start = this.pos;
      let p = start + 1;
      const buf = this.buf;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[start] = n;
        this.pos = p;
        return;
      }
    }
    this.ensure(n * 3 + 5);
    if (n < 128) {
      // At most 127 bytes need a 1-byte length: write right after it.
      const m = this.buf.write(s, this.pos + 1, "utf8");
      if (m < 128) {
        this.buf[this.pos] = m;
        this.pos += 1 + m;
        return;
      }
    }
    const start = this.begin();
    this.pos += this.buf.write(s, this.pos, "utf8");
    this.end(start);
  }
  /** Starts a length-delimited field (tag written by `lenField`): reserves 5 bytes for the length. */
  begin(): number {
    this.ensure(5);
    const start = this.pos;
    this.pos += 5;
    return start;
  }
  lenField(no: number): number {
    this.tag(no, WIRE_LEN);
    return this.begin();
  }
  /** Puts the length at `start` and moves the content right after it. */
  end(start: number): void {
    const content = start + 5;
    const n = this.pos - content;
    // The 5 bytes at `start` are reserved: no ensure() here, which could grow
    // the buffer and copy only the bytes before `start`.
    let p = start;
    let v = n;
    while (v > 0x7f) {
      this.buf[p++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[p++] = v;
    if (p !== content) this.buf.copyWithin(p, content, content + n);
    this.pos = p + n;
  }
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

export class PbReader {
  pos: number;
  /** Where the reader is, for error messages: a parent path and a key in it. */
  parent = "";
  key: string | number = "";
  constructor(
    readonly buf: Buffer,
    readonly kind: string,
    start = 0,
  ) {
    this.pos = start;
  }
  where(parent: string, key: string | number): void {
    this.parent = parent;
    this.key = key;
  }
  fail(detail: string): never {
    throw new ProtocolError("PORTABLE_E_DECODE", this.kind, at(this.parent, this.key), detail);
  }
  /** A varint as a number; negative for a negative int64; refuses unsafe integers. */
  varint(): number {
    const buf = this.buf;
    if (this.pos < buf.length) {
      const b = buf[this.pos] as number;
      if (b < 0x80) {
        this.pos++;
        return b;
      }
    }
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= buf.length) this.fail("truncated varint");
      const b = buf[this.pos++] as number;
      if (i === 9 && b > 1) this.fail("varint longer than 64 bits");
      result += (b & 0x7f) * mul;
      if (b < 0x80) return i >= 7 && !Number.isSafeInteger(result) ? this.big(i + 1) : result;
      mul *= 128;
    }
    return this.fail("varint longer than 10 bytes");
  }
  private big(n: number): number {
    let u = 0n;
    for (let i = n - 1; i >= 0; i--)
      u = (u << 7n) | BigInt((this.buf[this.pos - n + i] as number) & 0x7f);
    const s = BigInt.asIntN(64, u);
    if (s < 0n && s >= BigInt(Number.MIN_SAFE_INTEGER)) return Number(s);
    return this.fail(`integer ${s} is not a safe integer`);
  }
  /** The next tag as field number * 8 + wire type, checked. */
  tag(): number {
    const t = this.varint();
    const wire = t % 8;
    if (t < 8) this.fail("field number 0");
    if (wire !== WIRE_VARINT && wire !== WIRE_FIXED64 && wire !== WIRE_LEN && wire !== WIRE_FIXED32)
      this.fail(`field ${Math.floor(t / 8)} has wire type ${wire}, which version 2 does not use`);
    return t;
  }
  /** Reads a length; returns where the content ends (checked against `end`). */
  len(end: number): number {
    const n = this.varint();
    if (n > end - this.pos) this.fail(`length ${n} runs past the end of the message`);
    return this.pos + n;
  }
  string(end: number): string {
    const buf = this.buf;
    const start = this.pos;
    this.pos = end;
    if (end - start < 32) {
      let s = "";
      for (let i = start; i < end; i++) {
        const c = buf[i] as number;
        if (c >= 0x80) return buf.toString("utf8", start, end);
        s += String.fromCharCode(c);
      }
      return s;
    }
    return buf.toString("utf8", start, end);
  }
  double(end: number): number {
    if (end - this.pos < 8) this.fail("truncated double");
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  skip(t: number, end: number): void {
    const wire = t % 8;
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.pos = this.len(end);
    else {
      const n = wire === WIRE_FIXED64 ? 8 : 4;
      if (end - this.pos < n) this.fail("truncated fixed-size field");
      this.pos += n;
    }
  }
  /** After a field: the message's end was not overrun by a varint. */
  within(end: number): void {
    if (this.pos > end) this.fail("truncated: a field runs past the end of its message");
  }
}
