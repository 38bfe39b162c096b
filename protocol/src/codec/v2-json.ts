// The JSON form of a version-2 message (PROTOCOL.md §12.2): schema field
// names in field-number order, defaults left out, enums by name, bytes in
// base64, Struct/Value/ListValue as plain JSON, written in §4.1's dialect.

import type { JsonValue } from "../json.js";
import { goJson, goString } from "./go-json.js";
import { at } from "./pb-wire.js";
import type { V2MessageDescriptor } from "./v2-descriptor.js";
import { checkInt, checkRequired, emptyOf, fail, isEmpty } from "./v2-fields.js";

export function toJsonMessage(d: V2MessageDescriptor, v: Record<string, unknown>): string {
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

export function fromJsonMessage(
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
