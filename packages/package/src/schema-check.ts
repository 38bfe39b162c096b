// Checking values against a plugin's typed symbols (PROTOCOL.md §6.4.1):
// every schema compiled once per PluginSchemas (so once per install), then
// a call's arguments, a start's configuration, a row or a result are checked
// with a problem that names the argument, the path inside it and what was
// expected. Used by the host (refuse before the plugin sees a value) and the
// conformance suite (check what a plugin returns or emits).

import type { JsonValue } from "@portable-plugins/protocol";
import type { ErrorObject, ValidateFunction } from "ajv/dist/2020.js";
import { createSchemaAjv, type JsonSchema, pointerOf } from "./schema-ajv.js";
import type { FunctionSignature, PluginSchemas } from "./symbol-schemas.js";

/** Why a value does not fit. */
export interface ValueProblem {
  /** What the value is: `argument 2 (times)`, `configuration`, `row`, `result`, `arguments`. */
  readonly what: string;
  /** JSON pointer inside that value ("" for the value itself). */
  readonly path: string;
  /** What the schema expects there, e.g. `integer`, `>= 1`, `property "interval"`. */
  readonly expected: string;
  /** One line: `<what> at <path>: expected <expected>, got <actual>`. */
  readonly message: string;
}

type Check = (value: unknown) => ValueProblem | undefined;

/** A short description of a JSON value's type and, when small, the value. */
function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const type = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
  if (type === "object" || type === "array") return type;
  const text = JSON.stringify(value);
  return text.length <= 40 ? `${type} ${text}` : type;
}

function at(root: unknown, pointer: string): unknown {
  let v: unknown = root;
  for (const raw of pointer.split("/").slice(1)) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    v = v !== null && typeof v === "object" ? (v as Record<string, unknown>)[key] : undefined;
  }
  return v;
}

function expectation(err: ErrorObject): { path: string; expected: string } {
  const p = err.params as Record<string, unknown>;
  switch (err.keyword) {
    case "type":
      return { path: err.instancePath, expected: String(p["type"]) };
    case "required":
      return {
        path: err.instancePath + pointerOf(String(p["missingProperty"])),
        expected: `a value (property ${JSON.stringify(p["missingProperty"])} is required)`,
      };
    case "additionalProperties":
      return {
        path: err.instancePath + pointerOf(String(p["additionalProperty"])),
        expected: "no such property",
      };
    case "const":
      return { path: err.instancePath, expected: JSON.stringify(p["allowedValue"]) };
    case "enum":
      return {
        path: err.instancePath,
        expected: `one of ${(p["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    default:
      return {
        path: err.instancePath,
        expected: (err.message ?? "a valid value").replace(/^must (be )?/, ""),
      };
  }
}

function checker(validate: ValidateFunction, what: string): Check {
  return (value) => {
    if (validate(value)) return undefined;
    const first = validate.errors?.[0];
    const { path, expected } = first ? expectation(first) : { path: "", expected: "a valid value" };
    const got = describe(at(value, path));
    const where = path === "" ? "" : ` at ${path}`;
    return { what, path, expected, message: `${what}${where}: expected ${expected}, got ${got}` };
  };
}

/** A compiled signature: arity and every argument, and the result. */
export interface CompiledSignature {
  readonly signature: FunctionSignature;
  checkArgs(args: readonly JsonValue[]): ValueProblem | undefined;
  checkResult(value: JsonValue): ValueProblem | undefined;
}

/** A compiled source or sink: its configuration and its rows (undefined: not declared). */
export interface CompiledSymbol {
  readonly checkConfig?: (config: JsonValue) => ValueProblem | undefined;
  readonly checkRow?: (row: JsonValue) => ValueProblem | undefined;
}

export interface CompiledSchemas {
  readonly functions: ReadonlyMap<string, CompiledSignature>;
  readonly sources: ReadonlyMap<string, CompiledSymbol>;
  readonly sinks: ReadonlyMap<string, CompiledSymbol>;
}

function arity(sig: FunctionSignature): string {
  const min = sig.params.filter((p) => !p.optional).length;
  const max = sig.variadic ? undefined : sig.params.length;
  if (max === undefined) return `at least ${min}`;
  return min === max ? `${min}` : `${min} to ${max}`;
}

function compileSignature(
  compile: (s: JsonSchema) => ValidateFunction,
  sig: FunctionSignature,
): CompiledSignature {
  const params = sig.params.map((p, i) =>
    checker(compile(p.schema), `argument ${i + 1} (${p.name})`),
  );
  const rest = sig.variadic ? compile(sig.variadic.schema) : undefined;
  const result = checker(compile(sig.result), "result");
  const required = sig.params.filter((p) => !p.optional).length;
  return {
    signature: sig,
    checkArgs(args) {
      if (args.length < required || (!rest && args.length > sig.params.length)) {
        const expected = `${arity(sig)} argument${arity(sig) === "1" ? "" : "s"}`;
        return {
          what: "arguments",
          path: "",
          expected,
          message: `arguments: expected ${expected}, got ${args.length}`,
        };
      }
      for (let i = 0; i < args.length; i++) {
        const check = params[i];
        if (check) {
          const problem = check(args[i]);
          if (problem) return problem;
        } else if (rest && !rest(args[i])) {
          return checker(rest, `argument ${i + 1} (${sig.variadic?.name})`)(args[i]);
        }
      }
      return undefined;
    },
    checkResult: result,
  };
}

/** Compiles every schema of `schemas` once (they were checked when read). */
export function compileSchemas(schemas: PluginSchemas): CompiledSchemas {
  const ajv = createSchemaAjv();
  const compile = (s: JsonSchema) => ajv.compile(s);
  const symbols = (m: PluginSchemas["sources"]) =>
    new Map(
      [...m].map(([name, s]) => {
        const out: { checkConfig?: Check; checkRow?: Check } = {};
        if (s.config !== undefined) out.checkConfig = checker(compile(s.config), "configuration");
        if (s.row !== undefined) out.checkRow = checker(compile(s.row), "row");
        return [name, out] as const;
      }),
    );
  return {
    functions: new Map(
      [...schemas.functions].map(([n, sig]) => [n, compileSignature(compile, sig)]),
    ),
    sources: symbols(schemas.sources),
    sinks: symbols(schemas.sinks),
  };
}
