// Comparisons of JSON values for expectations: equality (key order ignored)
// and "example" subsets (every key of the example present with an equal value).

import type { JsonValue } from "@portable-plugins/protocol";

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as never)[k], (b as never)[k]))
  );
}

export function jsonContains(value: unknown, example: Record<string, JsonValue>): boolean {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  return Object.entries(example).every(
    ([k, v]) => Object.hasOwn(value, k) && jsonEqual((value as Record<string, unknown>)[k], v),
  );
}

export function short(value: unknown): string {
  const t = JSON.stringify(value) ?? String(value);
  return t.length > 160 ? `${t.slice(0, 160)}…` : t;
}
