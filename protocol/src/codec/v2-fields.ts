// Field rules shared by both forms of a version-2 message (PROTOCOL.md
// §12.2): integer ranges, which values are "empty" (not written), the value a
// missing field takes, and required fields.

import { ProtocolError } from "../errors.js";
import { at } from "./pb-wire.js";
import type { V2FieldDescriptor, V2MessageDescriptor } from "./v2-descriptor.js";

export type V2ErrorCode = "PORTABLE_E_DECODE" | "PORTABLE_E_ENCODE";

export function fail(code: V2ErrorCode, kind: string, field: string, detail: string): never {
  throw new ProtocolError(code, kind, field, detail);
}

export const isInt = (f: V2FieldDescriptor) =>
  f.kind === "uint32" || f.kind === "uint64" || f.kind === "int64";

export function checkInt(
  f: V2FieldDescriptor,
  v: unknown,
  kind: string,
  field: string,
  code: V2ErrorCode,
): number {
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    fail(code, kind, field, `${String(v)} is not a safe integer`);
  if (f.kind !== "int64" && v < 0) fail(code, kind, field, `${v} is negative`);
  if (f.kind === "uint32" && v > 0xffffffff) fail(code, kind, field, `${v} does not fit 32 bits`);
  return v;
}

/** True when the field holds its empty value, which neither form writes. */
export function isEmpty(f: V2FieldDescriptor, v: unknown): boolean {
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

export function emptyOf(f: V2FieldDescriptor): unknown {
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

export function checkRequired(
  d: V2MessageDescriptor,
  out: Record<string, unknown>,
  path: string,
): void {
  for (const f of d.fields) {
    if (f.optional && isEmpty(f, out[f.name])) delete out[f.name];
    if (f.required && isEmpty(f, out[f.name]))
      fail("PORTABLE_E_DECODE", d.name, at(path, f.name), "is required");
  }
}
