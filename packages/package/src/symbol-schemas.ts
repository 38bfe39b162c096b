// Typed symbols (PROTOCOL.md §6.4): the optional JSON Schemas a plugin
// package declares in its description files — `signature` on each entry of a
// function file's `functions[]`, and a top-level `schema` ({config, row}) in a
// source's or sink's file. Parsed and checked here (every schema compiled
// once); a malformed one is a PackageError naming the file and the JSON
// pointer. A package without these keys has no schemas and works as before.

import { isJsonObject, type JsonObject, type JsonValue } from "@portable-plugins/protocol";
import type { Ajv2020 } from "ajv/dist/2020.js";
import { PackageError } from "./errors.js";
import { compileSchema, type JsonSchema, pointerOf } from "./schema-ajv.js";

/** A positional parameter of a function. */
export interface ParamSignature {
  /** An identifier (`[A-Za-z_][A-Za-z0-9_]*`): the label in generated types and in errors. */
  readonly name: string;
  readonly schema: JsonSchema;
  /** An optional parameter may be left out; optional ones come after all required ones. */
  readonly optional: boolean;
}

/** The trailing "any number of further arguments" of a function. */
export interface VariadicSignature {
  readonly name: string;
  readonly schema: JsonSchema;
}

/** A function's declared types: `signature` of its entry in `functions/<file>.json`. */
export interface FunctionSignature {
  readonly params: readonly ParamSignature[];
  readonly variadic?: VariadicSignature;
  readonly result: JsonSchema;
}

/** A source's or sink's declared types: the top-level `schema` of `sources|sinks/<symbol>.json`. */
export interface SymbolSchemas {
  /** The configuration (`props`) object a start command carries. */
  readonly config?: JsonSchema;
  /** One row: a source emits rows of this shape, a sink accepts them. */
  readonly row?: JsonSchema;
}

/** Every typed symbol of a plugin, by symbol name; symbols without schemas are absent. */
export interface PluginSchemas {
  readonly functions: ReadonlyMap<string, FunctionSignature>;
  readonly sources: ReadonlyMap<string, SymbolSchemas>;
  readonly sinks: ReadonlyMap<string, SymbolSchemas>;
}

/** Where a description came from, for errors. */
export interface DescriptionOrigin {
  readonly plugin: string;
  readonly symbol: string;
  /** The file as shown in errors (e.g. `functions/echo.json`). */
  readonly file: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function schemaError(
  origin: DescriptionOrigin,
  pointer: string,
  message: string,
): PackageError {
  return new PackageError(
    "PORTABLE_E_CONFIG",
    `plugin ${origin.plugin}: ${origin.file}: ${pointer === "" ? "(root)" : pointer}: ${message}`,
    { plugin: origin.plugin, symbol: origin.symbol, path: origin.file, pointer },
  );
}

function checkedSchema(
  ajv: Ajv2020,
  origin: DescriptionOrigin,
  value: unknown,
  at: string,
): JsonSchema {
  const { problem } = compileSchema(ajv, value);
  if (problem)
    throw schemaError(origin, at + problem.pointer, `invalid JSON Schema: ${problem.message}`);
  return value as JsonSchema;
}

function onlyKeys(
  origin: DescriptionOrigin,
  obj: JsonObject,
  allowed: readonly string[],
  at: string,
): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw schemaError(
        origin,
        at + pointerOf(key),
        `unknown key (allowed: ${allowed.join(", ")})`,
      );
    }
  }
}

function objectAt(origin: DescriptionOrigin, value: unknown, at: string): JsonObject {
  if (!isJsonObject(value)) throw schemaError(origin, at, "must be an object");
  return value;
}

function nameAt(origin: DescriptionOrigin, value: unknown, at: string, seen: Set<string>): string {
  if (typeof value !== "string" || !IDENTIFIER.test(value)) {
    throw schemaError(origin, at, "must be an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  }
  if (seen.has(value))
    throw schemaError(origin, at, `parameter name ${JSON.stringify(value)} used twice`);
  seen.add(value);
  return value;
}

/** Parses and checks one `signature` object found at JSON pointer `at`. */
export function parseSignature(
  ajv: Ajv2020,
  origin: DescriptionOrigin,
  value: unknown,
  at: string,
): FunctionSignature {
  const sig = objectAt(origin, value, at);
  onlyKeys(origin, sig, ["params", "variadic", "result"], at);
  if (!Array.isArray(sig["params"])) throw schemaError(origin, `${at}/params`, "must be an array");
  if (!("result" in sig))
    throw schemaError(origin, at, "missing key result (use true for any value)");
  const names = new Set<string>();
  const params: ParamSignature[] = [];
  let optionalSeen = false;
  sig["params"].forEach((raw, i) => {
    const p = `${at}/params/${i}`;
    const param = objectAt(origin, raw, p);
    onlyKeys(origin, param, ["name", "schema", "optional"], p);
    const name = nameAt(origin, param["name"], `${p}/name`, names);
    if (!("schema" in param)) throw schemaError(origin, p, "missing key schema");
    const optional = param["optional"] ?? false;
    if (typeof optional !== "boolean")
      throw schemaError(origin, `${p}/optional`, "must be a boolean");
    if (optionalSeen && !optional) {
      throw schemaError(origin, p, "a required parameter cannot follow an optional one");
    }
    optionalSeen ||= optional;
    params.push({
      name,
      schema: checkedSchema(ajv, origin, param["schema"], `${p}/schema`),
      optional,
    });
  });
  let variadic: VariadicSignature | undefined;
  if (sig["variadic"] !== undefined) {
    const p = `${at}/variadic`;
    const v = objectAt(origin, sig["variadic"], p);
    onlyKeys(origin, v, ["name", "schema"], p);
    const name = nameAt(origin, v["name"], `${p}/name`, names);
    if (!("schema" in v)) throw schemaError(origin, p, "missing key schema");
    variadic = { name, schema: checkedSchema(ajv, origin, v["schema"], `${p}/schema`) };
  }
  const result = checkedSchema(ajv, origin, sig["result"], `${at}/result`);
  return variadic ? { params, variadic, result } : { params, result };
}

/**
 * The signatures in a function description file: entry name -> signature,
 * for the entries of `functions[]` that carry one.
 */
export function parseFunctionSignatures(
  ajv: Ajv2020,
  origin: DescriptionOrigin,
  description: JsonValue,
): Map<string, FunctionSignature> {
  const out = new Map<string, FunctionSignature>();
  if (!isJsonObject(description)) return out;
  const entries = description["functions"];
  if (!Array.isArray(entries)) return out;
  entries.forEach((entry, i) => {
    if (!isJsonObject(entry) || entry["signature"] === undefined) return;
    const name = entry["name"];
    if (typeof name !== "string" || name === "") {
      throw schemaError(
        origin,
        `/functions/${i}/name`,
        "an entry with a signature must have a name",
      );
    }
    if (out.has(name)) {
      throw schemaError(
        origin,
        `/functions/${i}/signature`,
        `second signature for function ${name}`,
      );
    }
    out.set(
      name,
      parseSignature(
        ajv,
        { ...origin, symbol: name },
        entry["signature"],
        `/functions/${i}/signature`,
      ),
    );
  });
  return out;
}

/** The top-level `schema` of a source or sink description; undefined when absent. */
export function parseSymbolSchemas(
  ajv: Ajv2020,
  origin: DescriptionOrigin,
  description: JsonValue,
): SymbolSchemas | undefined {
  if (!isJsonObject(description) || description["schema"] === undefined) return undefined;
  const obj = objectAt(origin, description["schema"], "/schema");
  onlyKeys(origin, obj, ["config", "row"], "/schema");
  const out: { config?: JsonSchema; row?: JsonSchema } = {};
  if (obj["config"] !== undefined)
    out.config = checkedSchema(ajv, origin, obj["config"], "/schema/config");
  if (obj["row"] !== undefined) out.row = checkedSchema(ajv, origin, obj["row"], "/schema/row");
  return out;
}
