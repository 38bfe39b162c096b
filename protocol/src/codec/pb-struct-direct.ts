// The hot-path encoder of google.protobuf.Struct / Value / ListValue
// (PROTOCOL.md §12.2): two passes over the value, no intermediate objects.
// The size pass records every length (strings, entries, nested messages) in a
// reused scratch array in pre-order; the write pass consumes them in the same
// order and writes each byte once, at its final place (no reserved length
// bytes, no copyWithin). Same bytes as the path-aware writer in pb-struct.ts;
// anything it refuses (or that is deeper than MAX_V2_DEPTH) makes this encoder
// step aside, and the path-aware writer runs instead, so errors are unchanged.

import type { JsonObject, JsonValue } from "../json.js";
import { compareCodePoints } from "./go-json.js";
import { writeList, writeStruct, writeValue } from "./pb-struct.js";
import { MAX_V2_DEPTH, type PbWriter, WIRE_LEN } from "./pb-wire.js";

/** Thrown by the size pass: the value takes the path-aware writer. */
const SLOW = Symbol("slow");

/** Scratch of the size pass: lengths in pre-order, and each Struct's sorted keys. */
let sz: number[] = [];
let n = 0;
let keyLists: string[][] = [];
let kn = 0;
/** Write pass: the buffer, the write position, and the read positions in the scratch. */
let B: Buffer = Buffer.alloc(0);
let P = 0;
let R = 0;
let KR = 0;

const varintLen = (v: number): number =>
  v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;

/**
 * UTF-8 length; a lone surrogate counts 3 (written as U+FFFD). A JS loop for
 * short strings; Buffer.byteLength (measured: 5x faster at 77 chars) otherwise.
 */
function utf8Len(s: string): number {
  const len = s.length;
  if (len > 16) return Buffer.byteLength(s, "utf8");
  for (let i = 0; i < len; i++) if (s.charCodeAt(i) >= 0x80) return Buffer.byteLength(s, "utf8");
  return len;
}

/** Whether a key holds a surrogate or U+E000-U+FFFF (code-unit order is not code-point order there). */
function high(k: string): boolean {
  for (let i = 0; i < k.length; i++) if (k.charCodeAt(i) >= 0xd800) return true;
  return false;
}

function sortedKeys(o: JsonObject): string[] {
  const keys = Object.keys(o);
  const len = keys.length;
  if (len < 2) return keys;
  let sorted = true;
  for (let i = 1; i < len; i++) {
    if ((keys[i - 1] as string) >= (keys[i] as string)) {
      sorted = false;
      break;
    }
  }
  if (!sorted) keys.sort();
  // Code-unit order is code-point order unless a key holds a surrogate or U+E000-U+FFFF.
  for (let i = 0; i < len; i++) {
    if (high(keys[i] as string)) {
      keys.sort(compareCodePoints);
      break;
    }
  }
  return keys;
}

/** Size of a Value's content; records its lengths. */
function sizeValue(v: JsonValue, depth: number): number {
  switch (typeof v) {
    case "string": {
      const l = utf8Len(v);
      sz[n++] = l;
      return 1 + varintLen(l) + l;
    }
    case "number":
      if (!Number.isFinite(v)) throw SLOW;
      return 9;
    case "boolean":
      return 2;
    case "object": {
      if (v === null) return 2;
      if (depth > MAX_V2_DEPTH) throw SLOW;
      const idx = n++;
      const c = Array.isArray(v) ? sizeList(v, depth + 1) : sizeStruct(v, depth + 1);
      sz[idx] = c;
      return 1 + varintLen(c) + c;
    }
    default:
      throw SLOW;
  }
}

function sizeStruct(o: JsonObject, depth: number): number {
  const keys = sortedKeys(o);
  keyLists[kn++] = keys;
  let total = 0;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = o[k];
    if (v === undefined) continue;
    const entryIdx = n++;
    const kl = utf8Len(k);
    sz[n++] = kl;
    const valueIdx = n++;
    const vs = sizeValue(v, depth);
    sz[valueIdx] = vs;
    const entry = 1 + varintLen(kl) + kl + 1 + varintLen(vs) + vs;
    sz[entryIdx] = entry;
    total += 1 + varintLen(entry) + entry;
  }
  return total;
}

function sizeList(a: readonly JsonValue[], depth: number): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    const idx = n++;
    const vs = sizeValue(a[i] ?? null, depth);
    sz[idx] = vs;
    total += 1 + varintLen(vs) + vs;
  }
  return total;
}

function putVarint(v: number): void {
  while (v > 0x7f) {
    B[P++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  B[P++] = v;
}

function putString(s: string, l: number): void {
  putVarint(l);
  if (l === s.length) {
    if (l < 32) {
      for (let i = 0; i < l; i++) B[P++] = s.charCodeAt(i);
      return;
    }
    B.write(s, P, l, "latin1");
  } else B.write(s, P, l, "utf8");
  P += l;
}

function putValue(v: JsonValue): void {
  switch (typeof v) {
    case "string":
      B[P++] = 0x1a;
      putString(v, sz[R++] as number);
      return;
    case "number":
      B[P++] = 0x11;
      B.writeDoubleLE(v, P);
      P += 8;
      return;
    case "boolean":
      B[P++] = 0x20;
      B[P++] = v ? 1 : 0;
      return;
    default:
      if (v === null) {
        B[P++] = 0x08;
        B[P++] = 0;
      } else if (Array.isArray(v)) {
        B[P++] = 0x32;
        putVarint(sz[R++] as number);
        putList(v);
      } else {
        B[P++] = 0x2a;
        putVarint(sz[R++] as number);
        putStruct(v as JsonObject);
      }
  }
}

function putStruct(o: JsonObject): void {
  const keys = keyLists[KR++] as string[];
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    const v = o[k];
    if (v === undefined) continue;
    B[P++] = 0x0a;
    putVarint(sz[R++] as number);
    B[P++] = 0x0a;
    putString(k, sz[R++] as number);
    B[P++] = 0x12;
    putVarint(sz[R++] as number);
    putValue(v);
  }
}

function putList(a: readonly JsonValue[]): void {
  for (let i = 0; i < a.length; i++) {
    B[P++] = 0x0a;
    putVarint(sz[R++] as number);
    putValue(a[i] ?? null);
  }
}

type Shape = "struct" | "value" | "list";

/** The size pass for one top-level value, or -1 when the path-aware writer must take it. */
function sizeOf(shape: Shape, v: unknown): number {
  n = 0;
  kn = 0;
  try {
    if (shape === "struct") return sizeStruct(v as JsonObject, 1);
    if (shape === "list") return sizeList(v as JsonValue[], 1);
    return sizeValue(v as JsonValue, 0);
  } catch (e) {
    if (e === SLOW) return -1;
    throw e;
  }
}

/**
 * Writes field `no` holding a Struct (`shape` "struct"), a Value or a
 * ListValue. `kind`, `parent` and `key` name the value in errors, as the
 * path-aware writers do.
 */
export function writeShapeField(
  w: PbWriter,
  no: number,
  shape: Shape,
  v: unknown,
  kind: string,
  parent: string,
  key: string | number,
  path: string,
): void {
  const size = sizeOf(shape, v);
  if (size < 0) {
    const s = w.lenField(no);
    if (shape === "struct") writeStruct(w, v as JsonObject, kind, path);
    else if (shape === "list") writeList(w, v as JsonValue[], kind, path);
    else writeValue(w, v as JsonValue, kind, parent, key);
    w.end(s);
    return;
  }
  w.tag(no, WIRE_LEN);
  w.varint(size);
  w.ensure(size);
  B = w.buf;
  P = w.pos;
  R = 0;
  KR = 0;
  if (shape === "struct") putStruct(v as JsonObject);
  else if (shape === "list") putList(v as JsonValue[]);
  else putValue(v as JsonValue);
  w.pos = P;
  B = EMPTY;
  // The scratch of one huge value is not kept alive.
  if (n > 65536) sz = [];
  if (kn > 4096) keyLists = [];
}

const EMPTY = Buffer.alloc(0);
