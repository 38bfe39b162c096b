// The one JSON Schema engine of typed symbols (PROTOCOL.md §6.4): ajv for
// draft 2020-12, configured once so the package check, the host and the
// conformance suite accept and compile a schema the same way. `format` is an
// annotation only (no format is validated); unknown keywords are refused, so a
// typo such as `"tpye"` is an error of the package, not a silently open type.

import type { JsonObject } from "@portable-plugins/protocol";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

/** A JSON Schema (draft 2020-12): an object, or `true`/`false`. */
export type JsonSchema = boolean | JsonObject;

/** A fresh ajv instance with the options typed symbols use everywhere. */
export function createSchemaAjv(): Ajv2020 {
  return new Ajv2020({
    strictSchema: true,
    strictNumbers: true,
    strictTypes: false,
    strictTuples: false,
    strictRequired: false,
    validateFormats: false,
    allErrors: false,
    coerceTypes: false,
    useDefaults: false,
    logger: false,
  });
}

/** Where in a schema a problem lies, and what it is. */
export interface SchemaProblem {
  /** JSON pointer inside the schema ("" for the schema itself). */
  readonly pointer: string;
  readonly message: string;
}

function describeMetaError(err: ErrorObject): SchemaProblem {
  const params = err.params as Record<string, unknown>;
  const extra =
    typeof params["additionalProperty"] === "string"
      ? ` (${params["additionalProperty"]})`
      : Array.isArray(params["allowedValues"])
        ? ` (${(params["allowedValues"] as unknown[]).map((v) => JSON.stringify(v)).join(", ")})`
        : "";
  return { pointer: err.instancePath, message: `${err.message ?? "invalid"}${extra}` };
}

/**
 * Checks `schema` against the 2020-12 meta-schema and compiles it with `ajv`;
 * returns the compiled validator, or the problem (with its pointer inside the
 * schema) when the schema is malformed or cannot be compiled (unknown keyword,
 * unresolvable `$ref`).
 */
export function compileSchema(
  ajv: Ajv2020,
  schema: unknown,
):
  | { validate: ValidateFunction; problem?: undefined }
  | { validate?: undefined; problem: SchemaProblem } {
  if (
    typeof schema !== "boolean" &&
    (typeof schema !== "object" || schema === null || Array.isArray(schema))
  ) {
    return { problem: { pointer: "", message: "must be a JSON Schema: an object or a boolean" } };
  }
  if (!ajv.validateSchema(schema)) {
    const first = ajv.errors?.[0];
    return {
      problem: first
        ? describeMetaError(first)
        : { pointer: "", message: "not a valid JSON Schema" },
    };
  }
  try {
    return { validate: ajv.compile(schema) };
  } catch (cause) {
    return { problem: { pointer: "", message: (cause as Error).message } };
  }
}

/** Appends escaped tokens to a JSON pointer (RFC 6901). */
export function pointerOf(...tokens: ReadonlyArray<string | number>): string {
  return tokens.map((t) => `/${String(t).replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}
