// google.protobuf.Struct / Value / ListValue in protobuf binary (PROTOCOL.md
// §12.2), mapped to plain JSON values. Struct keys are written sorted by code
// point (as §4.1 sorts user data); errors name the path of the value.

import { ProtocolError } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";
import { compareCodePoints } from "./go-json.js";
import {
  at,
  MAX_V2_DEPTH,
  type PbReader,
  type PbWriter,
  pathAt,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
} from "./pb-wire.js";

function encodeError(kind: string, field: string, detail: string): never {
  throw new ProtocolError("PORTABLE_E_ENCODE", kind, field, detail);
}

/** Writes the content of a google.protobuf.Value; `parent` and `key` name it in errors. */
export function writeValue(
  w: PbWriter,
  v: JsonValue,
  kind: string,
  parent: string,
  key: string | number,
): void {
  if (v === null) {
    w.tag(1, WIRE_VARINT);
    w.byte(0);
  } else if (typeof v === "number") {
    if (!Number.isFinite(v)) encodeError(kind, at(parent, key), `${v} has no JSON form`);
    w.tag(2, WIRE_FIXED64);
    w.double(v);
  } else if (typeof v === "string") {
    w.tag(3, WIRE_LEN);
    w.string(v);
  } else if (typeof v === "boolean") {
    w.tag(4, WIRE_VARINT);
    w.byte(v ? 1 : 0);
  } else if (Array.isArray(v)) {
    const s = w.lenField(6);
    writeList(w, v, kind, pathAt(parent, key));
    w.end(s);
  } else if (typeof v === "object") {
    const s = w.lenField(5);
    writeStruct(w, v, kind, pathAt(parent, key));
    w.end(s);
  } else {
    encodeError(kind, at(parent, key), `${typeof v} is not a JSON value`);
  }
}

const HIGH = /[\ud800-\uffff]/;

/** Writes the content of a google.protobuf.Struct, keys sorted by code point. */
export function writeStruct(w: PbWriter, o: JsonObject, kind: string, path: string): void {
  const keys = Object.keys(o);
  if (keys.length > 1) {
    keys.sort();
    // Code-unit order is code-point order unless a key holds a surrogate or U+E000-U+FFFF.
    if (keys.some((k) => HIGH.test(k))) keys.sort(compareCodePoints);
  }
  for (const k of keys) {
    const v = o[k];
    if (v === undefined) continue;
    const entry = w.lenField(1);
    w.tag(1, WIRE_LEN);
    w.string(k);
    const value = w.lenField(2);
    writeValue(w, v, kind, path, k);
    w.end(value);
    w.end(entry);
  }
}

/** Writes the content of a google.protobuf.ListValue. */
export function writeList(w: PbWriter, a: readonly JsonValue[], kind: string, path: string): void {
  for (let i = 0; i < a.length; i++) {
    const s = w.lenField(1);
    writeValue(w, a[i] ?? null, kind, path, i);
    w.end(s);
  }
}

function setKey(o: JsonObject, k: string, v: JsonValue): void {
  if (k === "__proto__")
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** Reads a Value whose content ends at `end`. */
export function readValue(
  r: PbReader,
  end: number,
  parent: string,
  key: string | number,
  depth: number,
): JsonValue {
  if (depth > MAX_V2_DEPTH) {
    r.where(parent, key);
    r.fail(`nested deeper than ${MAX_V2_DEPTH}`);
  }
  let v: JsonValue = null;
  while (r.pos < end) {
    r.where(parent, key);
    const t = r.tag();
    switch (t) {
      case 0x08: // null_value
        r.varint();
        v = null;
        break;
      case 0x11: // number_value
        v = r.double(end);
        if (!Number.isFinite(v)) r.fail(`${v} has no JSON form`);
        break;
      case 0x1a: // string_value
        v = r.string(r.len(end));
        break;
      case 0x20: // bool_value
        v = r.varint() !== 0;
        break;
      case 0x2a: // struct_value
        v = readStruct(r, r.len(end), pathAt(parent, key), depth + 1);
        break;
      case 0x32: // list_value
        v = readList(r, r.len(end), pathAt(parent, key), depth + 1);
        break;
      default:
        if (t < 56) r.fail(`Value field ${Math.floor(t / 8)} has wire type ${t % 8}`);
        r.skip(t, end);
    }
    r.where(parent, key);
    r.within(end);
  }
  return v;
}

/** Reads a Struct whose content ends at `end`. */
export function readStruct(r: PbReader, end: number, path: string, depth: number): JsonObject {
  const o: JsonObject = {};
  while (r.pos < end) {
    r.where(path, "");
    const t = r.tag();
    if (t !== 0x0a) {
      if (t < 16) r.fail(`Struct field 1 has wire type ${t % 8}`);
      r.skip(t, end);
      continue;
    }
    const entryEnd = r.len(end);
    let key = "";
    let keySeen = false;
    let value: JsonValue = null;
    let later = -1;
    let laterEnd = -1;
    while (r.pos < entryEnd) {
      r.where(path, "");
      const et = r.tag();
      if (et === 0x0a) {
        key = r.string(r.len(entryEnd));
        keySeen = true;
      } else if (et === 0x12) {
        const valueEnd = r.len(entryEnd);
        if (keySeen) value = readValue(r, valueEnd, path, key, depth);
        else {
          later = r.pos;
          laterEnd = valueEnd;
          r.pos = valueEnd;
        }
      } else if (et < 24)
        r.fail(`Struct entry field ${Math.floor(et / 8)} has wire type ${et % 8}`);
      else r.skip(et, entryEnd);
      r.where(path, "");
      r.within(entryEnd);
    }
    if (later >= 0) {
      const save = r.pos;
      r.pos = later;
      value = readValue(r, laterEnd, path, key, depth);
      r.pos = save;
    }
    setKey(o, key, value);
  }
  return o;
}

/** Reads a ListValue whose content ends at `end`. */
export function readList(r: PbReader, end: number, path: string, depth: number): JsonValue[] {
  const a: JsonValue[] = [];
  while (r.pos < end) {
    r.where(path, a.length);
    const t = r.tag();
    if (t !== 0x0a) {
      if (t < 16) r.fail(`ListValue field 1 has wire type ${t % 8}`);
      r.skip(t, end);
      continue;
    }
    a.push(readValue(r, r.len(end), path, a.length, depth));
  }
  return a;
}
