// Encodes and decodes version-2 messages (PROTOCOL.md §12.2) from their
// generated descriptors, in both forms: protobuf binary (the default) and the
// JSON form (the fallback). A whole body is the version byte 0x02, the kind
// byte (bit 7 set for the JSON form), then the message.

import { ProtocolError } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";
import { goJson, goString } from "./go-json.js";
import {
  PbReader,
  PbWriter,
  readList,
  readStruct,
  readValue,
  WIRE_LEN,
  WIRE_VARINT,
  writeList,
  writeStruct,
  writeValue,
} from "./pb-wire.js";
import { parseJson } from "./schema-codec.js";
import type { V2FieldDescriptor, V2MessageDescriptor } from "./v2-descriptor.js";

/** The first byte of every version-2 body: never `h` (0x68), `{` or `[`. */
export const V2_VERSION_BYTE = 0x02;
/** Bit 7 of the kind byte: the message is in its JSON form. */
export const V2_JSON_BIT = 0x80;

export type V2Encoding = "protobuf" | "json";

export interface V2Codec<T> {
  readonly descriptor: V2MessageDescriptor;
  /** The whole body (header + message) of a kind message; the bare message otherwise. */
  encode(value: T, encoding?: V2Encoding): Buffer;
  /** Reads a whole body (either form) of a kind message, or a bare protobuf message. */
  decode(body: Uint8Array): T;
  /** As decode, also saying which form the body was in. */
  decodeWithEncoding(body: Uint8Array): { value: T; encoding: V2Encoding };
  /** The JSON form as a value (bytes in base64), e.g. for vectors and logs. */
  toJson(value: T): JsonObject;
  /** Checks a JSON-form value; `path` prefixes error fields. */
  fromJson(json: unknown, path?: string): T;
}

const at = (path: string, k: string | number) =>
  typeof k === "number" ? `${path}[${k}]` : path ? `${path}.${k}` : k;

function fail(
  code: "PORTABLE_E_DECODE" | "PORTABLE_E_ENCODE",
  kind: string,
  field: string,
  detail: string,
): never {
  throw new ProtocolError(code, kind, field, detail);
}

const isInt = (f: V2FieldDescriptor) =>
  f.kind === "uint32" || f.kind === "uint64" || f.kind === "int64";

function checkInt(
  f: V2FieldDescriptor,
  v: unknown,
  kind: string,
  field: string,
  code: "PORTABLE_E_DECODE" | "PORTABLE_E_ENCODE",
): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    fail(code, kind, field, `${String(v)} is not a safe integer`);
  if (f.kind !== "int64" && v < 0) fail(code, kind, field, `${v} is negative`);
  if (f.kind === "uint32" && v > 0xffffffff) fail(code, kind, field, `${v} does not fit 32 bits`);
  return v;
}

/** True when the field holds its empty value, which neither form writes. */
function isEmpty(f: V2FieldDescriptor, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (f.repeated) return (v as unknown[]).length === 0;
  switch (f.kind) {
    case "uint32":
    case "uint64":
    case "int64":
      return v === 0;
    case "bool":
      return v === false;
    case "string":
      return v === "";
    case "bytes":
      return (v as Uint8Array).length === 0;
    case "struct":
      return Object.keys(v as object).length === 0;
    case "list":
      return (v as unknown[]).length === 0;
    default:
      return false;
  }
}

function emptyOf(f: V2FieldDescriptor): unknown {
  if (f.repeated) return [];
  if (f.optional) return undefined;
  switch (f.kind) {
    case "uint32":
    case "uint64":
    case "int64":
      return 0;
    case "bool":
      return false;
    case "string":
      return "";
    case "bytes":
      return new Uint8Array(0);
    case "struct":
      return {};
    case "list":
      return [];
    case "value":
      return null;
    default:
      return undefined;
  }
}

function writeMessage(
  w: PbWriter,
  d: V2MessageDescriptor,
  v: Record<string, unknown>,
  path: string,
): void {
  for (const f of d.fields) {
    const value = v[f.name];
    const field = at(path, f.name);
    if (isEmpty(f, value)) {
      if (f.required) fail("PORTABLE_E_ENCODE", d.name, field, "is required");
      continue;
    }
    const items = f.repeated ? (value as unknown[]) : [value];
    for (const [i, item] of items.entries())
      writeField(w, d, f, item, f.repeated ? at(field, i) : field);
  }
}

function writeField(
  w: PbWriter,
  d: V2MessageDescriptor,
  f: V2FieldDescriptor,
  v: unknown,
  field: string,
): void {
  switch (f.kind) {
    case "uint32":
    case "uint64":
    case "int64":
      w.tag(f.no, WIRE_VARINT);
      w.int64(checkInt(f, v, d.name, field, "PORTABLE_E_ENCODE"));
      return;
    case "bool":
      w.tag(f.no, WIRE_VARINT);
      w.byte(v ? 1 : 0);
      return;
    case "string":
      w.tag(f.no, WIRE_LEN);
      w.string(String(v));
      return;
    case "bytes":
      w.tag(f.no, WIRE_LEN);
      w.bytes(v as Uint8Array);
      return;
    case "enum": {
      const n = f.enumValues?.[v as string];
      if (n === undefined)
        fail("PORTABLE_E_ENCODE", d.name, field, `${String(v)} is not a value of the enum`);
      w.tag(f.no, WIRE_VARINT);
      w.varint(n);
      return;
    }
    case "message": {
      const m = f.message?.() as V2MessageDescriptor;
      w.len(f.no, () => writeMessage(w, m, v as Record<string, unknown>, field));
      return;
    }
    case "struct":
      w.len(f.no, () => writeStruct(w, v as JsonObject, d.name, field));
      return;
    case "value":
      w.len(f.no, () => writeValue(w, v as JsonValue, d.name, field));
      return;
    case "list":
      w.len(f.no, () => writeList(w, v as JsonValue[], d.name, field));
      return;
  }
}

function readMessage(
  r: PbReader,
  d: V2MessageDescriptor,
  path: string,
  depth: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of d.fields) out[f.name] = emptyOf(f);
  const byNo = new Map(d.fields.map((f) => [f.no, f]));
  while (!r.done()) {
    const [no, wire] = r.tag(path);
    const f = byNo.get(no);
    if (!f) {
      r.skip(no, wire, path);
      continue;
    }
    const base = at(path, f.name);
    const field = f.repeated ? at(base, (out[f.name] as unknown[]).length) : base;
    const want = isInt(f) || f.kind === "bool" || f.kind === "enum" ? WIRE_VARINT : WIRE_LEN;
    if (wire !== want) r.fail(field, `wire type ${wire}, expected ${want}`);
    let v: unknown;
    switch (f.kind) {
      case "uint32":
      case "uint64":
      case "int64":
        v = checkInt(f, r.varint(field), d.name, field, "PORTABLE_E_DECODE");
        break;
      case "bool":
        v = r.varint(field) !== 0;
        break;
      case "string":
        v = r.string(field);
        break;
      case "bytes": {
        const [s, e] = r.lenRange(field);
        v = new Uint8Array(r.buf.subarray(s, e));
        break;
      }
      case "enum": {
        const n = r.varint(field);
        v = Object.entries(f.enumValues ?? {}).find(([, x]) => x === n)?.[0];
        if (v === undefined) r.fail(field, `${n} is not a value of the enum`);
        break;
      }
      case "message":
        if (depth > 16) r.fail(field, "messages nested too deep");
        v = readMessage(r.sub(field), f.message?.() as V2MessageDescriptor, field, depth + 1);
        break;
      case "struct":
        v = readStruct(r.sub(field), field, 1);
        break;
      case "value":
        v = readValue(r.sub(field), field, 1);
        break;
      case "list":
        v = readList(r.sub(field), field, 1);
        break;
    }
    if (f.repeated) (out[f.name] as unknown[]).push(v);
    else out[f.name] = v;
  }
  checkRequired(d, out, path);
  return out;
}

function checkRequired(d: V2MessageDescriptor, out: Record<string, unknown>, path: string): void {
  for (const f of d.fields) {
    if (f.optional && isEmpty(f, out[f.name])) delete out[f.name];
    if (f.required && isEmpty(f, out[f.name]))
      fail("PORTABLE_E_DECODE", d.name, at(path, f.name), "is required");
  }
}

function toJsonMessage(d: V2MessageDescriptor, v: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const f of d.fields) {
    const value = v[f.name];
    if (isEmpty(f, value)) continue;
    const one = (x: unknown): string => {
      switch (f.kind) {
        case "uint32":
        case "uint64":
        case "int64":
        case "bool":
          return String(x);
        case "string":
        case "enum":
          return goString(String(x));
        case "bytes":
          return goString(Buffer.from(x as Uint8Array).toString("base64"));
        case "message":
          return toJsonMessage(f.message?.() as V2MessageDescriptor, x as Record<string, unknown>);
        default:
          return goJson(x as JsonValue, d.name, f.name);
      }
    };
    const text = f.repeated ? `[${(value as unknown[]).map(one).join(",")}]` : one(value);
    parts.push(`${goString(f.name)}:${text}`);
  }
  return `{${parts.join(",")}}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function fromJsonMessage(
  d: V2MessageDescriptor,
  json: unknown,
  path: string,
): Record<string, unknown> {
  if (json === null || typeof json !== "object" || Array.isArray(json))
    fail("PORTABLE_E_DECODE", d.name, path, "not a JSON object");
  const src = json as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of d.fields) {
    const field = at(path, f.name);
    const raw = Object.hasOwn(src, f.name) ? src[f.name] : null;
    if (raw === null) {
      out[f.name] = emptyOf(f);
      continue;
    }
    const one = (x: unknown, p: string): unknown => {
      const bad = (what: string): never => fail("PORTABLE_E_DECODE", d.name, p, `expected ${what}`);
      switch (f.kind) {
        case "uint32":
        case "uint64":
        case "int64":
          return checkInt(f, x, d.name, p, "PORTABLE_E_DECODE");
        case "bool":
          return typeof x === "boolean" ? x : bad("a boolean");
        case "string":
          return typeof x === "string" ? x : bad("a string");
        case "bytes":
          return typeof x === "string" && BASE64.test(x)
            ? new Uint8Array(Buffer.from(x, "base64"))
            : bad("base64 text");
        case "enum":
          return typeof x === "string" && f.enumValues && Object.hasOwn(f.enumValues, x)
            ? x
            : bad(`one of ${Object.keys(f.enumValues ?? {}).join(", ")}`);
        case "message":
          return fromJsonMessage(f.message?.() as V2MessageDescriptor, x, p);
        case "struct":
          return x !== null && typeof x === "object" && !Array.isArray(x) ? x : bad("an object");
        case "list":
          return Array.isArray(x) ? x : bad("an array");
        default:
          return x;
      }
    };
    if (f.repeated) {
      if (!Array.isArray(raw)) fail("PORTABLE_E_DECODE", d.name, field, "expected an array");
      out[f.name] = raw.map((x, i) => one(x, at(field, i)));
    } else out[f.name] = one(raw, field);
  }
  checkRequired(d, out, path);
  return out;
}

export function defineV2Codec<T>(d: V2MessageDescriptor): V2Codec<T> {
  const encodeBare = (value: T): Buffer => {
    const w = new PbWriter();
    if (d.v2Kind !== undefined) {
      w.byte(V2_VERSION_BYTE);
      w.byte(d.v2Kind);
    }
    writeMessage(w, d, value as Record<string, unknown>, "");
    return Buffer.from(w.finish());
  };
  const decodeWithEncoding = (body: Uint8Array): { value: T; encoding: V2Encoding } => {
    const buf = Buffer.isBuffer(body)
      ? body
      : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (d.v2Kind === undefined)
      return { value: readMessage(new PbReader(buf, d.name), d, "", 0) as T, encoding: "protobuf" };
    if (buf.length < 2)
      fail("PORTABLE_E_DECODE", d.name, "", `truncated: ${buf.length} bytes, no version-2 header`);
    if (buf[0] !== V2_VERSION_BYTE)
      fail(
        "PORTABLE_E_DECODE",
        d.name,
        "",
        `first byte 0x${(buf[0] as number).toString(16).padStart(2, "0")} is not the version-2 byte 0x02`,
      );
    const kind = (buf[1] as number) & ~V2_JSON_BIT;
    if (kind !== d.v2Kind)
      fail(
        "PORTABLE_E_DECODE",
        d.name,
        "",
        `kind byte 0x${kind.toString(16).padStart(2, "0")}, expected 0x${d.v2Kind.toString(16).padStart(2, "0")}`,
      );
    if (((buf[1] as number) & V2_JSON_BIT) !== 0)
      return {
        value: fromJsonMessage(d, parseJson(buf.subarray(2), d.name), "") as T,
        encoding: "json",
      };
    return {
      value: readMessage(new PbReader(buf, d.name, 2), d, "", 0) as T,
      encoding: "protobuf",
    };
  };
  return {
    descriptor: d,
    encode(value, encoding = "protobuf") {
      if (encoding === "protobuf") return encodeBare(value);
      const text = toJsonMessage(d, value as Record<string, unknown>);
      if (d.v2Kind === undefined) return Buffer.from(text);
      return Buffer.concat([
        Buffer.from([V2_VERSION_BYTE, d.v2Kind | V2_JSON_BIT]),
        Buffer.from(text),
      ]);
    },
    decode: (body) => decodeWithEncoding(body).value,
    decodeWithEncoding,
    toJson: (value) => JSON.parse(toJsonMessage(d, value as Record<string, unknown>)) as JsonObject,
    fromJson: (json, path = "") => fromJsonMessage(d, json, path) as T,
  };
}
