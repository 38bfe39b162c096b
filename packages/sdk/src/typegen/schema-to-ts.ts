// JSON Schema (draft 2020-12) to a TypeScript type expression, for
// `portable-gen`. Every type it writes is assignable to JsonValue, so a typed
// definition still fits the SDK's runtime. Covered: boolean schemas, `type`
// (also as a list), `enum`, `const`, `anyOf`/`oneOf` (union), `allOf`
// (intersection), objects (`properties`, `required`, `additionalProperties`),
// arrays (`items`, `prefixItems`), local `$ref`s (`#/$defs/...`). Anything
// else is `JsonValue`: the type is never narrower than the schema.

import type { JsonObject } from "@portable-plugins/protocol";

type Schema = boolean | JsonObject;

const IDENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function isObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function literal(v: unknown): string {
  return v === null || ["string", "number", "boolean"].includes(typeof v)
    ? JSON.stringify(v)
    : "JsonValue";
}

function union(parts: readonly string[]): string {
  const unique = [...new Set(parts)];
  if (unique.includes("JsonValue")) return "JsonValue";
  if (unique.length === 0) return "never";
  return unique.length === 1 ? (unique[0] as string) : unique.map(wrap).join(" | ");
}

function wrap(t: string): string {
  return /[|&]/.test(t) && !/^[[{(]/.test(t) ? `(${t})` : t;
}

function resolveRef(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith("#")) return undefined;
  let v: unknown = root;
  for (const raw of ref.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    v = isObject(v) ? v[key] : undefined;
  }
  return typeof v === "boolean" || isObject(v) ? v : undefined;
}

/** Converts `schema` (inside `root`, for `$ref`s) to a type expression; `pad` indents nested lines. */
export function schemaToTs(
  schema: Schema,
  root: Schema = schema,
  pad = "",
  refs: string[] = [],
): string {
  if (schema === true) return "JsonValue";
  if (schema === false) return "never";
  const next = (s: unknown, p = pad) =>
    typeof s === "boolean" || isObject(s) ? schemaToTs(s, root, p, refs) : "JsonValue";
  const parts: string[] = [];
  const ref = schema["$ref"];
  if (typeof ref === "string") {
    const target = resolveRef(root, ref);
    parts.push(
      target === undefined || refs.includes(ref)
        ? "JsonValue"
        : schemaToTs(target, root, pad, [...refs, ref]),
    );
  }
  if ("const" in schema) parts.push(literal(schema["const"]));
  else if (Array.isArray(schema["enum"])) parts.push(union(schema["enum"].map(literal)));
  else {
    const alternatives = schema["anyOf"] ?? schema["oneOf"];
    if (Array.isArray(alternatives)) parts.push(union(alternatives.map((s) => next(s))));
    const own = ownType(schema, pad, next);
    if (own !== undefined) parts.push(own);
  }
  if (Array.isArray(schema["allOf"])) parts.push(...schema["allOf"].map((s) => next(s)));
  const known = parts.filter((p) => p !== "JsonValue");
  if (known.length === 0) return "JsonValue";
  return known.length === 1 ? (known[0] as string) : known.map(wrap).join(" & ");
}

function ownType(
  schema: JsonObject,
  pad: string,
  next: (s: unknown, p?: string) => string,
): string | undefined {
  const declared = schema["type"];
  let types: string[] = [];
  if (typeof declared === "string") types = [declared];
  else if (Array.isArray(declared))
    types = declared.filter((t): t is string => typeof t === "string");
  else if ("properties" in schema || "additionalProperties" in schema) types = ["object"];
  else if ("items" in schema || "prefixItems" in schema) types = ["array"];
  if (types.length === 0) return undefined;
  return union(
    types.map((t) => {
      switch (t) {
        case "string":
          return "string";
        case "number":
        case "integer":
          return "number";
        case "boolean":
          return "boolean";
        case "null":
          return "null";
        case "array":
          return arrayType(schema, next);
        case "object":
          return objectType(schema, pad, next);
        default:
          return "JsonValue";
      }
    }),
  );
}

function arrayType(schema: JsonObject, next: (s: unknown) => string): string {
  const prefix = schema["prefixItems"];
  const items = schema["items"];
  if (Array.isArray(prefix)) {
    const head = prefix.map((s) => next(s));
    if (items === false) return `[${head.join(", ")}]`;
    const rest = items === undefined ? "JsonValue" : next(items);
    return `[${[...head, `...${wrap(rest)}[]`].join(", ")}]`;
  }
  return `${wrap(items === undefined ? "JsonValue" : next(items))}[]`;
}

function objectType(
  schema: JsonObject,
  pad: string,
  next: (s: unknown, p?: string) => string,
): string {
  const props = isObject(schema["properties"]) ? schema["properties"] : {};
  const required = new Set(Array.isArray(schema["required"]) ? schema["required"] : []);
  const inner = `${pad}  `;
  const lines: string[] = [];
  for (const [key, sub] of Object.entries(props)) {
    const description =
      isObject(sub) && typeof sub["description"] === "string" ? sub["description"] : undefined;
    if (description) lines.push(`${inner}/** ${description.replaceAll("*/", "* /")} */`);
    const name = IDENT.test(key) ? key : JSON.stringify(key);
    lines.push(`${inner}${name}${required.has(key) ? "" : "?"}: ${next(sub, inner)};`);
  }
  const extra = schema["additionalProperties"];
  if (extra !== false) {
    // Declared properties must fit the index signature: a narrower one only without them.
    const type =
      extra === undefined || extra === true || lines.length > 0 ? "JsonValue" : next(extra, inner);
    lines.push(`${inner}[key: string]: ${type};`);
  }
  if (lines.length === 0) return "Record<string, never>";
  return `{\n${lines.join("\n")}\n${pad}}`;
}
