// JSON Schema (draft 2020-12) → fast-check arbitrary: the values the property
// cases send to a typed plugin (function arguments, sink rows). A subset only:
// type (null, boolean, integer, number, string, array, object), enum, const,
// properties/required/additionalProperties, items/prefixItems,
// min/max(Items|Length|imum) and their exclusive forms, anyOf/oneOf and $ref
// to #/$defs. Anything else is refused with the JSON pointer of the keyword,
// so a case can say why it does not run instead of passing silently.

import type { JsonValue } from "@portable-plugins/protocol";
import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";

/** A JSON Schema: an object or a boolean. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** The arbitrary for a schema, or why the schema is outside the subset (and where). */
export type SchemaArbitrary =
  | { readonly ok: true; readonly arbitrary: fc.Arbitrary<JsonValue> }
  | { readonly ok: false; readonly reason: string; readonly pointer: string };

/** Keywords that carry no constraint: ignored. */
const ANNOTATIONS = new Set([
  "$schema",
  "$id",
  "$comment",
  "$defs",
  "title",
  "description",
  "default",
  "examples",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

const TYPE_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  number: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
  integer: ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"],
  string: ["minLength", "maxLength"],
  array: ["items", "prefixItems", "minItems", "maxItems"],
  object: ["properties", "required", "additionalProperties"],
};
const SUPPORTED = new Set([
  ...ANNOTATIONS,
  "type",
  "enum",
  "const",
  "anyOf",
  "oneOf",
  "$ref",
  ...Object.values(TYPE_KEYWORDS).flat(),
]);
const TYPES = ["null", "boolean", "integer", "number", "string", "array", "object"] as const;
type TypeName = (typeof TYPES)[number];

/** How many extra elements/keys a generated array/object gets beyond the minimum. */
const SPREAD = 4;
/** Nesting of values generated for schemas that allow any JSON value. */
const ANY_DEPTH = 2;

class Unsupported extends Error {
  constructor(
    readonly reason: string,
    readonly pointer: string,
  ) {
    super(reason);
  }
}

type SchemaObject = { readonly [keyword: string]: unknown };

const pointerKey = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");
const isObject = (v: unknown): v is SchemaObject =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Any JSON value (a schema without constraints). */
export const anyJson = (): fc.Arbitrary<JsonValue> =>
  fc.jsonValue({ maxDepth: ANY_DEPTH }) as fc.Arbitrary<JsonValue>;

interface Walk {
  readonly root: SchemaObject;
  /** The $refs being expanded (recursion is outside the subset). */
  readonly refs: readonly string[];
}

/** Builds the arbitrary for `schema`, a part of `root` (for $ref) at `pointer`. */
export function arbitraryFor(schema: JsonSchema, root: JsonSchema = schema): SchemaArbitrary {
  try {
    const walk: Walk = { root: isObject(root) ? root : {}, refs: [] };
    return { ok: true, arbitrary: build(schema, "", walk) };
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.reason, pointer: err.pointer };
    throw err;
  }
}

function build(schema: unknown, at: string, walk: Walk): fc.Arbitrary<JsonValue> {
  if (schema === true) return anyJson();
  if (schema === false) throw new Unsupported("the schema `false` accepts no value", at);
  if (!isObject(schema)) throw new Unsupported("a schema must be an object or a boolean", at);
  for (const k of Object.keys(schema)) {
    if (!SUPPORTED.has(k))
      throw new Unsupported(`keyword "${k}" is outside the subset`, `${at}/${pointerKey(k)}`);
  }
  const constraints = Object.keys(schema).filter((k) => !ANNOTATIONS.has(k));
  if (typeof schema["$ref"] === "string") {
    if (constraints.length > 1) {
      throw new Unsupported("$ref beside other constraints is outside the subset", at);
    }
    return ref(schema["$ref"], `${at}/$ref`, walk);
  }
  for (const k of ["anyOf", "oneOf"] as const) {
    if (schema[k] === undefined) continue;
    if (constraints.length > 1) {
      throw new Unsupported(`${k} beside other constraints is outside the subset`, at);
    }
    return union(schema[k], k, `${at}/${k}`, walk);
  }
  if (schema["const"] !== undefined) return fc.constant(schema["const"] as JsonValue);
  if (schema["enum"] !== undefined) {
    const values = schema["enum"];
    if (!Array.isArray(values) || values.length === 0) {
      throw new Unsupported("enum must be a non-empty array", `${at}/enum`);
    }
    const allowed = typesOf(schema, at);
    const kept = (values as JsonValue[]).filter((v) => allowed.some((t) => hasType(v, t)));
    if (kept.length === 0) throw new Unsupported("no enum value has the schema's type", at);
    return fc.constantFrom(...kept);
  }
  if (constraints.length === 0) return anyJson();
  const types = typesOf(schema, at);
  const arbs = types.map((t) => ofType(t, schema, at, walk));
  return arbs.length === 1 ? (arbs[0] as fc.Arbitrary<JsonValue>) : fc.oneof(...arbs);
}

/** The types the schema allows: its `type`, else every type its keywords fit. */
function typesOf(schema: SchemaObject, at: string): TypeName[] {
  const t = schema["type"];
  if (t === undefined) {
    const used = Object.keys(schema);
    const fitting = TYPES.filter((name) =>
      used.every((k) => !isTypeKeyword(k) || (TYPE_KEYWORDS[name] ?? []).includes(k)),
    );
    // integer is a subset of number: one numeric arbitrary is enough.
    return fitting.includes("number") ? fitting.filter((x) => x !== "integer") : fitting;
  }
  const list = Array.isArray(t) ? t : [t];
  for (const name of list) {
    if (!TYPES.includes(name as TypeName))
      throw new Unsupported(`unknown type ${JSON.stringify(name)}`, `${at}/type`);
  }
  if (list.length === 0) throw new Unsupported("type must not be empty", `${at}/type`);
  return list as TypeName[];
}

const isTypeKeyword = (k: string) => Object.values(TYPE_KEYWORDS).some((ks) => ks.includes(k));

function hasType(v: unknown, t: TypeName): boolean {
  switch (t) {
    case "null":
      return v === null;
    case "boolean":
      return typeof v === "boolean";
    case "integer":
      return Number.isInteger(v);
    case "number":
      return typeof v === "number";
    case "string":
      return typeof v === "string";
    case "array":
      return Array.isArray(v);
    case "object":
      return isObject(v);
  }
}

function num(schema: SchemaObject, key: string, at: string): number | undefined {
  const v = schema[key];
  if (v === undefined) return undefined;
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Unsupported(`${key} must be a finite number`, `${at}/${pointerKey(key)}`);
  }
  return v;
}

function count(schema: SchemaObject, key: string, at: string): number | undefined {
  const v = num(schema, key, at);
  if (v !== undefined && (!Number.isInteger(v) || v < 0)) {
    throw new Unsupported(`${key} must be a non-negative integer`, `${at}/${pointerKey(key)}`);
  }
  return v;
}

function range(schema: SchemaObject, at: string, minKey: string, maxKey: string) {
  const min = count(schema, minKey, at) ?? 0;
  const max = count(schema, maxKey, at) ?? min + SPREAD;
  if (max < min) throw new Unsupported(`${maxKey} is below ${minKey}`, at);
  return { min, max };
}

function ofType(t: TypeName, s: SchemaObject, at: string, walk: Walk): fc.Arbitrary<JsonValue> {
  switch (t) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return integer(s, at);
    case "number":
      return number(s, at);
    case "string": {
      const { min, max } = range(s, at, "minLength", "maxLength");
      return fc.string({ unit: "binary", minLength: min, maxLength: Math.min(max, min + 16) });
    }
    case "array":
      return array(s, at, walk);
    case "object":
      return object(s, at, walk);
  }
}

function integer(s: SchemaObject, at: string): fc.Arbitrary<JsonValue> {
  const lo = num(s, "minimum", at);
  const hi = num(s, "maximum", at);
  const xlo = num(s, "exclusiveMinimum", at);
  const xhi = num(s, "exclusiveMaximum", at);
  let min = Number.MIN_SAFE_INTEGER;
  let max = Number.MAX_SAFE_INTEGER;
  if (lo !== undefined) min = Math.max(min, Math.ceil(lo));
  if (xlo !== undefined) min = Math.max(min, Math.floor(xlo) + 1);
  if (hi !== undefined) max = Math.min(max, Math.floor(hi));
  if (xhi !== undefined) max = Math.min(max, Math.ceil(xhi) - 1);
  if (max < min) throw new Unsupported("no integer fits the bounds", at);
  return fc.integer({ min, max });
}

function number(s: SchemaObject, at: string): fc.Arbitrary<JsonValue> {
  const lo = num(s, "minimum", at);
  const hi = num(s, "maximum", at);
  const xlo = num(s, "exclusiveMinimum", at);
  const xhi = num(s, "exclusiveMaximum", at);
  const min = Math.max(lo ?? -Number.MAX_VALUE, xlo ?? -Number.MAX_VALUE);
  const max = Math.min(hi ?? Number.MAX_VALUE, xhi ?? Number.MAX_VALUE);
  if (max < min) throw new Unsupported("no number fits the bounds", at);
  return fc
    .double({
      min,
      max,
      minExcluded: xlo !== undefined && xlo >= (lo ?? -Number.MAX_VALUE),
      maxExcluded: xhi !== undefined && xhi <= (hi ?? Number.MAX_VALUE),
      noNaN: true,
      noDefaultInfinity: true,
    })
    .map((n) => (Object.is(n, -0) ? 0 : n));
}

function array(s: SchemaObject, at: string, walk: Walk): fc.Arbitrary<JsonValue> {
  const { min, max } = range(s, at, "minItems", "maxItems");
  const prefixSchemas = s["prefixItems"] ?? [];
  if (!Array.isArray(prefixSchemas))
    throw new Unsupported("prefixItems must be an array", `${at}/prefixItems`);
  const prefix = prefixSchemas.map((p, i) => build(p, `${at}/prefixItems/${i}`, walk));
  const items = s["items"];
  const rest =
    items === false
      ? undefined
      : items === undefined
        ? anyJson()
        : build(items, `${at}/items`, walk);
  const cut = Math.min(prefix.length, max);
  if (rest === undefined && min > cut)
    throw new Unsupported("minItems exceeds prefixItems with items false", at);
  const extraMin = Math.max(0, min - cut);
  const extraMax = rest === undefined ? 0 : Math.max(extraMin, max - cut);
  const head = fc.tuple(...prefix.slice(0, cut));
  const tail =
    rest === undefined
      ? fc.constant([])
      : fc.array(rest, { minLength: extraMin, maxLength: extraMax });
  return fc.tuple(head, tail).map(([h, t]) => [...h, ...t]);
}

function object(s: SchemaObject, at: string, walk: Walk): fc.Arbitrary<JsonValue> {
  const props = s["properties"] ?? {};
  if (!isObject(props)) throw new Unsupported("properties must be an object", `${at}/properties`);
  const required = s["required"] ?? [];
  if (!Array.isArray(required) || required.some((r) => typeof r !== "string")) {
    throw new Unsupported("required must be an array of strings", `${at}/required`);
  }
  const model: Record<string, fc.Arbitrary<JsonValue>> = {};
  for (const [k, sub] of Object.entries(props)) {
    model[k] = build(sub, `${at}/properties/${pointerKey(k)}`, walk);
  }
  const extra = s["additionalProperties"];
  const extraArb =
    extra === false
      ? undefined
      : extra === undefined || extra === true
        ? anyJson()
        : build(extra, `${at}/additionalProperties`, walk);
  for (const r of required as string[]) {
    if (!(r in model)) {
      if (!extraArb)
        throw new Unsupported(
          `required "${r}" is not a property and additionalProperties is false`,
          at,
        );
      model[r] = extraArb;
    }
  }
  const known = fc.record(model, { requiredKeys: required as string[] });
  if (!extraArb) return known as fc.Arbitrary<JsonValue>;
  const key = fc.string({ maxLength: 8 }).filter((k) => !(k in model) && k !== "__proto__");
  const more = fc.dictionary(key, extraArb, { maxKeys: 2 });
  return fc.tuple(known, more).map(([a, b]) => ({ ...b, ...a }) as JsonValue);
}

function ref(target: unknown, at: string, walk: Walk): fc.Arbitrary<JsonValue> {
  if (typeof target !== "string" || !target.startsWith("#/$defs/")) {
    throw new Unsupported(
      `$ref ${JSON.stringify(target)}: only #/$defs/<name> is in the subset`,
      at,
    );
  }
  if (walk.refs.includes(target))
    throw new Unsupported(`recursive $ref ${target} is outside the subset`, at);
  const name = target.slice("#/$defs/".length).replace(/~1/g, "/").replace(/~0/g, "~");
  const defs = walk.root["$defs"];
  const def = isObject(defs) ? defs[name] : undefined;
  if (def === undefined) throw new Unsupported(`$ref ${target} names no definition`, at);
  return build(def, `/$defs/${pointerKey(name)}`, { ...walk, refs: [...walk.refs, target] });
}

function union(
  branches: unknown,
  k: "anyOf" | "oneOf",
  at: string,
  walk: Walk,
): fc.Arbitrary<JsonValue> {
  if (!Array.isArray(branches) || branches.length === 0) {
    throw new Unsupported(`${k} must be a non-empty array`, at);
  }
  const arbs = branches.map((b, i) => build(b, `${at}/${i}`, walk));
  if (k === "anyOf") return fc.oneof(...arbs);
  // oneOf: a value of one branch that no other branch accepts. A branch whose
  // values mostly fit another branch too is left out (filtering it would spin).
  const ajv = new Ajv2020({ strict: false });
  const defs = walk.root["$defs"];
  const checks = branches.map((b) =>
    ajv.compile({ ...(isObject(defs) ? { $defs: defs } : {}), anyOf: [b] }),
  );
  const only = (i: number) => (v: JsonValue) => checks.every((check, j) => j === i || !check(v));
  const kept = arbs
    .map((a, i) => ({ a, i }))
    .filter(({ a, i }) => {
      const probe = fc.sample(a, { numRuns: 30, seed: 14 });
      return probe.filter(only(i)).length >= probe.length / 3;
    })
    .map(({ a, i }) => a.filter(only(i)));
  if (kept.length === 0) throw new Unsupported("no oneOf branch has values of its own", at);
  return fc.oneof(...kept);
}
