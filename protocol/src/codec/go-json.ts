// Writes JSON exactly as Go's encoding/json does (PROTOCOL.md §4.1): object
// keys of maps sorted by code point, `<`, `>`, `&`, U+2028 and U+2029 escaped,
// lone surrogates replaced by U+FFFD, numbers as ES6 Number-to-string (which
// Go's float64 encoding follows, including `-0`).
//
// Hot path: when a value is one JSON.stringify writes the same way (plain
// objects already in Go's key order, finite numbers other than -0; checked by
// a walk that builds nothing) the native stringify writes it, and Go's string
// escapes are applied to its output in one pass. Anything else takes the
// general writer below; both give the same bytes.

import { ProtocolError } from "../errors.js";
import type { JsonValue } from "../json.js";

const NEEDS_GO_ESCAPE = /[<>&\u2028\u2029\ud800-\udfff]/;
const GO_ESCAPES = /\\\\|\\u(?:d[89a-f][0-9a-f]{2})|[<>&\u2028\u2029]/g;

function goEscape(m: string): string {
  switch (m) {
    case "\\\\":
      return m;
    case "<":
      return "\\u003c";
    case ">":
      return "\\u003e";
    case "&":
      return "\\u0026";
    case "\u2028":
      return "\\u2028";
    case "\u2029":
      return "\\u2029";
    default:
      // JSON.stringify escapes only lone surrogates: Go has none, it writes U+FFFD.
      return "\ufffd";
  }
}

/** A JSON string literal in Go's dialect. */
export function goString(s: string): string {
  const json = JSON.stringify(s);
  return NEEDS_GO_ESCAPE.test(s) ? json.replace(GO_ESCAPES, goEscape) : json;
}

/**
 * What in JSON.stringify's output Go writes otherwise: `<>&`, U+2028/9, and
 * the `\udXXX` escapes it writes only for lone surrogates. Outside strings
 * JSON text has none of these, so fixing the whole text at once is fixing
 * each string (GO_ESCAPES consumes `\\` pairs, keeping escapes aligned).
 */
const NEEDS_GO_FIX = /[<>&\u2028\u2029]|\\ud[89a-f]/;

/** Deeper values take the general writer, which also detects cycles. */
const MAX_FAST_DEPTH = 32;

/** Whether JSON.stringify writes `v` as Go does, up to the string escapes fixed afterwards. */
function stringifiable(v: unknown, depth: number): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
      return true;
    case "number":
      // Not NaN/Infinity (an error) nor -0 (Go writes "-0", JSON.stringify "0").
      return Number.isFinite(v) && (v !== 0 || 1 / v > 0);
    case "object": {
      if (v === null) return true;
      if (depth >= MAX_FAST_DEPTH) return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
          const item: unknown = v[i];
          // undefined and holes: the general writer decides.
          if (item === undefined || !stringifiable(item, depth + 1)) return false;
        }
        return true;
      }
      const proto: unknown = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        // JSON.stringify keeps the enumeration order: it must already be Go's.
        if (i > 0 && compareCodePoints(keys[i - 1]!, k) >= 0) return false;
        const item = (v as Record<string, unknown>)[k];
        if (item !== undefined && !stringifiable(item, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

export function goNumber(n: number, kind: string, field: string): string {
  if (!Number.isFinite(n)) {
    throw new ProtocolError("PORTABLE_E_ENCODE", kind, field, `${n} has no JSON form`);
  }
  return Object.is(n, -0) ? "-0" : String(n);
}

/** Orders strings by Unicode code point, i.e. by their UTF-8 bytes, as Go sorts map keys. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xd800-0xdfff) encode code points above 0xffff: they sort after the BMP.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

const NON_ASCII = /[\u0080-\uffff]/;

export function sortedKeys(o: object): string[] {
  const keys = Object.keys(o);
  if (keys.length < 2) return keys;
  return keys.some((k) => NON_ASCII.test(k)) ? keys.sort(compareCodePoints) : keys.sort();
}

/**
 * Any JSON value in Go's dialect, as Go writes an `interface{}` decoded from
 * JSON: objects are maps, so their keys are sorted.
 */
export function goJson(v: JsonValue, kind = "JSON", field = ""): string {
  if (stringifiable(v, 0)) {
    const json = JSON.stringify(v);
    return NEEDS_GO_FIX.test(json) ? json.replace(GO_ESCAPES, goEscape) : json;
  }
  return goJsonGeneral(v, kind, field);
}

/** The general writer: sorts keys, writes -0, names the field of a value that has no JSON form. */
function goJsonGeneral(v: JsonValue, kind: string, field: string): string {
  const seen = new Set<object>();
  const write = (x: JsonValue, path: string): string => {
    switch (typeof x) {
      case "string":
        return goString(x);
      case "number":
        return goNumber(x, kind, path);
      case "boolean":
        return x ? "true" : "false";
      case "object": {
        if (x === null) return "null";
        if (seen.has(x)) throw new ProtocolError("PORTABLE_E_ENCODE", kind, path, "cyclic value");
        seen.add(x);
        let out: string;
        if (Array.isArray(x)) {
          out = `[${x.map((item, i) => write(item ?? null, `${path}[${i}]`)).join(",")}]`;
        } else {
          const parts: string[] = [];
          for (const k of sortedKeys(x)) {
            const item = x[k];
            if (item === undefined) continue;
            parts.push(`${goString(k)}:${write(item, path ? `${path}.${k}` : k)}`);
          }
          out = `{${parts.join(",")}}`;
        }
        seen.delete(x);
        return out;
      }
      default:
        throw new ProtocolError("PORTABLE_E_ENCODE", kind, path, `${typeof x} is not JSON`);
    }
  };
  return write(v, field);
}
