// Encodes and decodes messages from their descriptors (generated from the
// schemas). Encoding writes Go's JSON dialect byte for byte (PROTOCOL.md §4.1);
// decoding is as tolerant as Go's decoder (unknown keys ignored, null for a
// scalar means "absent", keys matched case-insensitively as a last resort) and
// strict about types, failing with a ProtocolError that names the field.

import { ProtocolError } from "../errors.js";
import type { JsonObject, JsonValue } from "../json.js";
import type { FieldDescriptor, JsonType, MessageDescriptor } from "./descriptor.js";
import { goJson, goNumber, goString, sortedKeys } from "./go-json.js";
import type { Decoded, DecodeWarning, QuirkCode } from "./warnings.js";

export interface MessageCodec<T> {
  readonly descriptor: MessageDescriptor;
  /** The message as UTF-8 JSON bytes in Go's dialect. */
  encode(value: T): Buffer;
  encodeToString(value: T): string;
  /** Parses and checks bytes (or text); throws ProtocolError naming the field. */
  decode(input: Uint8Array | string): T;
  /** As decode, also reporting tolerated quirks. */
  decodeWithWarnings(input: Uint8Array | string): Decoded<T>;
  /** Checks an already parsed JSON value. `path` prefixes error fields. */
  fromJson(json: unknown, path?: string, warnings?: DecodeWarning[]): T;
}

const join = (path: string, key: string) => (path ? `${path}.${key}` : key);

export function decodeError(kind: string, field: string, detail: string): ProtocolError {
  return new ProtocolError("PORTABLE_E_DECODE", kind, field, detail);
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string")
    return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${String(v)}`;
}

/** Parses UTF-8 JSON text; invalid UTF-8 becomes U+FFFD, as in Go. */
export function parseJson(input: Uint8Array | string, kind: string, path = ""): unknown {
  const text =
    typeof input === "string"
      ? input
      : Buffer.isBuffer(input)
        ? input.toString()
        : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8");
  try {
    return JSON.parse(text);
  } catch (cause) {
    const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text;
    throw new ProtocolError("PORTABLE_E_DECODE", kind, path, `not JSON: ${JSON.stringify(shown)}`, {
      cause,
    });
  }
}

function jsonTypeOf(v: unknown): JsonType {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v as JsonType;
}

function isEmpty(f: FieldDescriptor, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (f.repeated) return (v as unknown[]).length === 0;
  if (f.map || f.kind === "object") return Object.keys(v as object).length === 0;
  switch (f.kind) {
    case "string":
      return v === "";
    case "bool":
      return v === false;
    case "int":
    case "double":
      return v === 0;
    default:
      // Go omits a nil pointer or interface, never an empty struct or an empty value.
      return false;
  }
}

function zeroValue(f: FieldDescriptor): unknown {
  if (f.repeated) return [];
  if (f.map || f.kind === "object") return f.nullable ? null : {};
  switch (f.kind) {
    case "string":
      return "";
    case "bool":
      return false;
    case "int":
    case "double":
      return 0;
    case "value":
      return null;
    case "message":
      return f.nullable ? null : decodeMessage(f.message!(), {}, "", []);
  }
}

function encodeScalar(f: FieldDescriptor, v: unknown, d: MessageDescriptor, path: string): string {
  switch (f.kind) {
    case "string":
      return goString(String(v));
    case "bool":
      return v ? "true" : "false";
    case "int":
    case "double":
      return goNumber(Number(v), d.name, path);
    case "value":
    case "object":
      return goJson(v as JsonValue, d.name, path);
    case "message": {
      const text = encodeMessage(f.message!(), v as Record<string, unknown>, path);
      return f.jsonString ? goString(text) : text;
    }
  }
}

function encodeField(f: FieldDescriptor, v: unknown, d: MessageDescriptor, path: string): string {
  if (v === null || v === undefined) {
    // Go writes nil slices, maps, pointers and interfaces as null.
    if (f.repeated || f.map || f.kind === "value" || f.kind === "object" || f.kind === "message")
      return "null";
    return encodeScalar(f, zeroValue(f), d, path);
  }
  if (f.repeated) {
    const items = v as unknown[];
    return `[${items.map((item, i) => encodeScalar(f, item, d, `${path}[${i}]`)).join(",")}]`;
  }
  if (f.map) {
    const o = v as Record<string, unknown>;
    return `{${sortedKeys(o)
      .map((k) => `${goString(k)}:${encodeScalar(f, o[k], d, join(path, k))}`)
      .join(",")}}`;
  }
  return encodeScalar(f, v, d, path);
}

/** Each field's `"key":` in Go's dialect, written once per descriptor rather than per message. */
const keyCache = new WeakMap<MessageDescriptor, readonly string[]>();

function keysOf(d: MessageDescriptor): readonly string[] {
  let keys = keyCache.get(d);
  if (!keys) {
    keys = d.fields.map((f) => `${goString(f.json)}:`);
    keyCache.set(d, keys);
  }
  return keys;
}

export function encodeMessage(
  d: MessageDescriptor,
  value: Record<string, unknown>,
  path = "",
): string {
  const keys = keysOf(d);
  const fields = d.fields;
  let out = "{";
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    const v = value[f.name];
    if (f.omitEmpty && isEmpty(f, v)) continue;
    out += `${out.length > 1 ? "," : ""}${keys[i]}${encodeField(f, v, d, join(path, f.json))}`;
  }
  return `${out}}`;
}

function decodeScalar(
  f: FieldDescriptor,
  v: unknown,
  kind: string,
  path: string,
  warnings: DecodeWarning[],
): unknown {
  switch (f.kind) {
    case "string":
      if (typeof v !== "string")
        throw decodeError(kind, path, `expected a string, got ${describe(v)}`);
      if (f.oneOf && !f.oneOf.includes(v)) {
        throw decodeError(kind, path, `expected one of ${f.oneOf.join(", ")}, got ${describe(v)}`);
      }
      return v;
    case "bool":
      if (typeof v !== "boolean")
        throw decodeError(kind, path, `expected true or false, got ${describe(v)}`);
      return v;
    case "int":
      if (typeof v !== "number" || !Number.isSafeInteger(v)) {
        throw decodeError(kind, path, `expected an integer, got ${describe(v)}`);
      }
      return v;
    case "double":
      if (typeof v !== "number")
        throw decodeError(kind, path, `expected a number, got ${describe(v)}`);
      return v;
    case "value":
      if (f.jsonTypes && !f.jsonTypes.includes(jsonTypeOf(v))) {
        throw decodeError(kind, path, `expected ${f.jsonTypes.join(" or ")}, got ${describe(v)}`);
      }
      return v as JsonValue;
    case "object":
      if (typeof v !== "object" || v === null || Array.isArray(v)) {
        throw decodeError(kind, path, `expected an object, got ${describe(v)}`);
      }
      return v as JsonObject;
    case "message": {
      const m = f.message!();
      let inner = v;
      if (f.jsonString) {
        if (typeof v !== "string")
          throw decodeError(kind, path, `expected a JSON string, got ${describe(v)}`);
        inner = parseJson(v, kind, path);
      }
      if (typeof inner !== "object" || inner === null || Array.isArray(inner)) {
        throw decodeError(kind, path, `expected an object, got ${describe(inner)}`);
      }
      return decodeMessage(m, inner as Record<string, unknown>, path, warnings, kind);
    }
  }
}

function lookup(
  f: FieldDescriptor,
  obj: Record<string, unknown>,
  path: string,
  warnings: DecodeWarning[],
): unknown {
  if (Object.hasOwn(obj, f.json)) return obj[f.json];
  for (const alias of f.aliases ?? []) {
    if (Object.hasOwn(obj, alias)) {
      warnings.push({ code: `${alias}-alias` as QuirkCode, field: join(path, f.json) });
      return obj[alias];
    }
  }
  const folded = f.json.toLowerCase();
  for (const k of Object.keys(obj)) {
    if (k.toLowerCase() === folded) {
      warnings.push({ code: "key-case", field: join(path, k) });
      return obj[k];
    }
  }
  return undefined;
}

/** Checks a parsed object against `d`; errors name `kind` (the outermost message) and the full path. */
export function decodeMessage(
  d: MessageDescriptor,
  obj: Record<string, unknown>,
  path: string,
  warnings: DecodeWarning[],
  kind: string = d.name,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of d.fields) {
    const fp = join(path, f.json);
    const raw = lookup(f, obj, path, warnings);
    if (raw === undefined || (raw === null && !f.nullable)) {
      if (f.required) throw decodeError(kind, fp, raw === null ? "must not be null" : "is missing");
      if (!f.omitEmpty) out[f.name] = zeroValue(f);
      continue;
    }
    if (raw === null) {
      out[f.name] = null;
    } else if (f.repeated) {
      if (!Array.isArray(raw))
        throw decodeError(kind, fp, `expected an array, got ${describe(raw)}`);
      out[f.name] = raw.map((item, i) => decodeScalar(f, item, kind, `${fp}[${i}]`, warnings));
    } else if (f.map) {
      if (typeof raw !== "object" || Array.isArray(raw)) {
        throw decodeError(kind, fp, `expected an object, got ${describe(raw)}`);
      }
      const m: Record<string, unknown> = {};
      for (const [k, item] of Object.entries(raw))
        m[k] = decodeScalar(f, item, kind, join(fp, k), warnings);
      out[f.name] = m;
    } else {
      out[f.name] = decodeScalar(f, raw, kind, fp, warnings);
    }
  }
  return out;
}

export function defineCodec<T>(d: MessageDescriptor): MessageCodec<T> {
  const fromJson = (json: unknown, path = "", warnings: DecodeWarning[] = []): T => {
    if (typeof json !== "object" || json === null || Array.isArray(json)) {
      throw decodeError(d.name, path, `expected a JSON object, got ${describe(json)}`);
    }
    return decodeMessage(d, json as Record<string, unknown>, path, warnings) as T;
  };
  return jsonCodec(d, fromJson, (value) => encodeMessage(d, value as Record<string, unknown>));
}

/** The codec of a `bare` message: on the wire, the JSON value of its only field. */
export function defineBareCodec<T>(d: MessageDescriptor): MessageCodec<T> {
  const f = d.fields[0];
  if (!d.bare || d.fields.length !== 1 || !f) throw new Error(`${d.name}: not a bare message`);
  const fromJson = (json: unknown, path = "", warnings: DecodeWarning[] = []): T => {
    return decodeScalar(f, json, d.name, path, warnings) as T;
  };
  return jsonCodec(d, fromJson, (value) => encodeField(f, value, d, ""));
}

/** A codec whose wire form is JSON: bytes are parsed, then checked by `fromJson`. */
function jsonCodec<T>(
  d: MessageDescriptor,
  fromJson: MessageCodec<T>["fromJson"],
  encodeToString: (value: T) => string,
): MessageCodec<T> {
  const decodeWithWarnings = (input: Uint8Array | string): Decoded<T> => {
    const warnings: DecodeWarning[] = [];
    const value = fromJson(parseJson(input, d.name), "", warnings);
    return { value, warnings };
  };
  return assembleCodec(d, fromJson, decodeWithWarnings, encodeToString);
}

/** A MessageCodec from the three parts that differ between wire forms. */
export function assembleCodec<T>(
  d: MessageDescriptor,
  fromJson: MessageCodec<T>["fromJson"],
  decodeWithWarnings: (input: Uint8Array | string) => Decoded<T>,
  encodeToString: (value: T) => string,
): MessageCodec<T> {
  return {
    descriptor: d,
    encodeToString,
    encode: (value) => Buffer.from(encodeToString(value), "utf8"),
    decode: (input) => decodeWithWarnings(input).value,
    decodeWithWarnings,
    fromJson,
  };
}
