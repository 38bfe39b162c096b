// Encodes and decodes version-2 messages (PROTOCOL.md §12.2) from their
// generated descriptors, in both forms: protobuf binary (the default) and the
// JSON form (the fallback, v2-json.ts). A whole body is the version byte 0x02,
// the kind byte (bit 7 set for the JSON form), then the message.

import type { JsonObject } from "../json.js";
import { readList, readStruct, readValue } from "./pb-struct.js";
import { writeShapeField } from "./pb-struct-direct.js";
import { at, PbReader, PbWriter, pathAt, WIRE_LEN, WIRE_VARINT, withPaths } from "./pb-wire.js";
import { parseJson } from "./schema-codec.js";
import type { V2FieldDescriptor, V2MessageDescriptor } from "./v2-descriptor.js";
import { checkInt, checkRequired, emptyOf, fail, isEmpty, isInt } from "./v2-fields.js";
import { fromJsonMessage, toJsonMessage } from "./v2-json.js";

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

/** Per descriptor, computed once: fields by number, tags, enum names by number. */
interface Plan {
  readonly byTag: Map<number, V2FieldDescriptor>;
  readonly byNo: Map<number, V2FieldDescriptor>;
  readonly enumNames: Map<V2FieldDescriptor, Map<number, string>>;
}
const plans = new WeakMap<V2MessageDescriptor, Plan>();

function planOf(d: V2MessageDescriptor): Plan {
  let plan = plans.get(d);
  if (plan) return plan;
  const byTag = new Map<number, V2FieldDescriptor>();
  const byNo = new Map<number, V2FieldDescriptor>();
  const enumNames = new Map<V2FieldDescriptor, Map<number, string>>();
  for (const f of d.fields) {
    const wire = isInt(f) || f.kind === "bool" || f.kind === "enum" ? WIRE_VARINT : WIRE_LEN;
    byTag.set(f.no * 8 + wire, f);
    byNo.set(f.no, f);
    if (f.enumValues)
      enumNames.set(f, new Map(Object.entries(f.enumValues).map(([name, n]) => [n, name])));
  }
  plan = { byTag, byNo, enumNames };
  plans.set(d, plan);
  return plan;
}

function writeMessage(
  w: PbWriter,
  d: V2MessageDescriptor,
  v: Record<string, unknown>,
  path: string,
): void {
  for (const f of d.fields) {
    const value = v[f.name];
    if (isEmpty(f, value)) {
      if (f.required) fail("PORTABLE_E_ENCODE", d.name, at(path, f.name), "is required");
      continue;
    }
    if (!f.repeated) {
      writeField(w, d, f, value, path, f.name);
      continue;
    }
    const items = value as unknown[];
    const base = pathAt(path, f.name);
    for (let i = 0; i < items.length; i++) writeField(w, d, f, items[i], base, i);
  }
}

function writeField(
  w: PbWriter,
  d: V2MessageDescriptor,
  f: V2FieldDescriptor,
  v: unknown,
  parent: string,
  key: string | number,
): void {
  switch (f.kind) {
    case "uint32":
    case "uint64":
    case "int64":
      w.tag(f.no, WIRE_VARINT);
      w.int64(
        typeof v === "number" && v >= 0 && v <= 0xffffffff && Number.isInteger(v)
          ? v
          : checkInt(f, v, d.name, at(parent, key), "PORTABLE_E_ENCODE"),
      );
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
      // Own names only: "toString" is not a value of any enum.
      const n =
        f.enumValues && Object.hasOwn(f.enumValues, v as string)
          ? f.enumValues[v as string]
          : undefined;
      if (n === undefined)
        fail(
          "PORTABLE_E_ENCODE",
          d.name,
          at(parent, key),
          `${String(v)} is not a value of the enum`,
        );
      w.tag(f.no, WIRE_VARINT);
      w.varint(n);
      return;
    }
    case "message": {
      const s = w.lenField(f.no);
      writeMessage(
        w,
        f.message?.() as V2MessageDescriptor,
        v as Record<string, unknown>,
        pathAt(parent, key),
      );
      w.end(s);
      return;
    }
    case "struct":
    case "value":
    case "list":
      writeShapeField(w, f.no, f.kind, v, d.name, parent, key, pathAt(parent, key));
      return;
  }
}

function readMessage(
  r: PbReader,
  end: number,
  d: V2MessageDescriptor,
  path: string,
  depth: number,
): Record<string, unknown> {
  const plan = planOf(d);
  const out: Record<string, unknown> = {};
  for (const f of d.fields) out[f.name] = emptyOf(f);
  while (r.pos < end) {
    r.where(path, "");
    const t = r.tag();
    const f = plan.byTag.get(t);
    if (!f) {
      const known = plan.byNo.get(Math.floor(t / 8));
      if (known) {
        r.where(path, known.name);
        r.fail(`wire type ${t % 8} does not fit the field`);
      }
      r.skip(t, end);
      r.within(end);
      continue;
    }
    const list = f.repeated ? (out[f.name] as unknown[]) : undefined;
    r.where(list ? pathAt(path, f.name) : path, list ? list.length : f.name);
    let v: unknown;
    switch (f.kind) {
      case "uint32":
      case "uint64":
      case "int64":
        {
          const n = r.varint();
          v =
            n >= 0 && n <= 0xffffffff
              ? n
              : checkInt(f, n, d.name, at(r.parent, r.key), "PORTABLE_E_DECODE");
        }
        break;
      case "bool":
        v = r.varint() !== 0;
        break;
      case "string":
        v = r.string(r.len(end));
        break;
      case "bytes": {
        const e = r.len(end);
        v = new Uint8Array(r.buf.subarray(r.pos, e));
        r.pos = e;
        break;
      }
      case "enum": {
        const n = r.varint();
        v = plan.enumNames.get(f)?.get(n);
        if (v === undefined) r.fail(`${n} is not a value of the enum`);
        break;
      }
      case "message": {
        if (depth > 16) r.fail("messages nested too deep");
        const e = r.len(end);
        v = readMessage(
          r,
          e,
          f.message?.() as V2MessageDescriptor,
          pathAt(r.parent, r.key),
          depth + 1,
        );
        break;
      }
      case "struct": {
        const e = r.len(end);
        v = readStruct(r, e, pathAt(r.parent, r.key), 1);
        break;
      }
      case "value": {
        const { parent, key } = r;
        v = readValue(r, r.len(end), parent, key, 1);
        break;
      }
      case "list": {
        const e = r.len(end);
        v = readList(r, e, pathAt(r.parent, r.key), 1);
        break;
      }
    }
    r.within(end);
    if (list) list.push(v);
    else out[f.name] = v;
  }
  checkRequired(d, out, path);
  return out;
}

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

export function defineV2Codec<T>(d: V2MessageDescriptor): V2Codec<T> {
  const encodeBinary = (value: T): Buffer => {
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
    const binary = (start: number) =>
      readMessage(new PbReader(buf, d.name, start), buf.length, d, "", 0) as T;
    if (d.v2Kind === undefined) return { value: withPaths(() => binary(0)), encoding: "protobuf" };
    if (buf.length < 2)
      fail("PORTABLE_E_DECODE", d.name, "", `truncated: ${buf.length} bytes, no version-2 header`);
    if (buf[0] !== V2_VERSION_BYTE)
      fail(
        "PORTABLE_E_DECODE",
        d.name,
        "",
        `first byte ${hex2(buf[0] as number)} is not the version-2 byte 0x02`,
      );
    const kind = (buf[1] as number) & ~V2_JSON_BIT;
    if (kind !== d.v2Kind)
      fail("PORTABLE_E_DECODE", d.name, "", `kind byte ${hex2(kind)}, expected ${hex2(d.v2Kind)}`);
    if (((buf[1] as number) & V2_JSON_BIT) === 0)
      return { value: withPaths(() => binary(2)), encoding: "protobuf" };
    const json = parseJson(buf.subarray(2), d.name);
    return { value: fromJsonMessage(d, json, "") as T, encoding: "json" };
  };
  return {
    descriptor: d,
    encode(value, encoding = "protobuf") {
      if (encoding === "protobuf") return withPaths(() => encodeBinary(value));
      const text = Buffer.from(toJsonMessage(d, value as Record<string, unknown>));
      if (d.v2Kind === undefined) return text;
      return Buffer.concat([Buffer.from([V2_VERSION_BYTE, d.v2Kind | V2_JSON_BIT]), text]);
    },
    decode: (body) => decodeWithEncoding(body).value,
    decodeWithEncoding,
    toJson: (value) => JSON.parse(toJsonMessage(d, value as Record<string, unknown>)) as JsonObject,
    fromJson: (json, path = "") => fromJsonMessage(d, json, path) as T,
  };
}
