// The JSON Schema → fast-check arbitrary conversion: every value generated
// for a schema of the subset validates against that schema with ajv (the
// validator the host uses), over many runs; a schema outside the subset is
// refused with the JSON pointer of the keyword that is not supported.

import { Ajv2020 } from "ajv/dist/2020.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arbitraryFor, type JsonSchema } from "../src/typed/schema-arbitrary.js";

const ajv = new Ajv2020({ strict: false });

const SUBSET: Readonly<Record<string, JsonSchema>> = {
  any: {},
  true: true,
  null: { type: "null" },
  boolean: { type: "boolean" },
  integer: { type: "integer", minimum: -3.5, maximum: 7 },
  "integer exclusive": { type: "integer", exclusiveMinimum: 0, exclusiveMaximum: 3 },
  number: { type: "number", minimum: 0.5, maximum: 1.5 },
  "number exclusive": { type: "number", exclusiveMinimum: 0, exclusiveMaximum: 1 },
  "number unbounded": { type: "number" },
  string: { type: "string", minLength: 2, maxLength: 5 },
  "string or null": { type: ["string", "null"], maxLength: 3 },
  enum: { enum: [1, "a", null, { x: [true] }] },
  "enum with type": { type: "string", enum: ["a", 1, "b"] },
  const: { const: { deep: [1, 2] } },
  array: { type: "array", items: { type: "integer" }, minItems: 1, maxItems: 3 },
  tuple: {
    type: "array",
    prefixItems: [{ type: "string" }, { type: "boolean" }],
    items: false,
  },
  "tuple and rest": {
    type: "array",
    prefixItems: [{ const: "head" }],
    items: { type: "number" },
    minItems: 3,
  },
  object: {
    type: "object",
    properties: {
      count: { type: "integer", minimum: 0 },
      name: { type: "string" },
      tags: { type: "array", items: { type: "string" }, maxItems: 2 },
    },
    required: ["count"],
    additionalProperties: false,
  },
  "object open": {
    type: "object",
    properties: { a: { type: "null" } },
    additionalProperties: { type: "integer" },
  },
  anyOf: {
    anyOf: [
      { type: "integer", maximum: 0 },
      { type: "string", maxLength: 1 },
    ],
  },
  oneOf: {
    oneOf: [
      { type: "number", maximum: 5 },
      { type: "integer", minimum: 3 },
    ],
  },
  ref: {
    $defs: { point: { type: "object", properties: { x: { type: "number" } }, required: ["x"] } },
    type: "array",
    items: { $ref: "#/$defs/point" },
  },
};

describe("schema → arbitrary: generated values validate against their schema", () => {
  for (const [name, schema] of Object.entries(SUBSET)) {
    it(name, () => {
      const built = arbitraryFor(schema);
      if (!built.ok) throw new Error(`${name}: ${built.reason} at ${built.pointer}`);
      const validate = ajv.compile(schema);
      fc.assert(
        fc.property(built.arbitrary, (value) => {
          // JSON round trip: what the plugin receives.
          const wire = JSON.parse(JSON.stringify(value)) as unknown;
          if (!validate(wire)) {
            throw new Error(`${JSON.stringify(value)}: ${ajv.errorsText(validate.errors)}`);
          }
        }),
        { numRuns: 300, seed: 14 },
      );
    });
  }

  it("generates values that differ (not one constant)", () => {
    const built = arbitraryFor({ type: "integer", minimum: 0, maximum: 1000 });
    if (!built.ok) throw new Error(built.reason);
    expect(new Set(fc.sample(built.arbitrary, { numRuns: 50, seed: 1 })).size).toBeGreaterThan(10);
  });

  it("fills required keys that are not properties from additionalProperties", () => {
    const built = arbitraryFor({
      type: "object",
      required: ["k"],
      additionalProperties: { type: "boolean" },
    });
    if (!built.ok) throw new Error(built.reason);
    for (const v of fc.sample(built.arbitrary, { numRuns: 30, seed: 2 })) {
      expect(typeof (v as Record<string, unknown>)["k"]).toBe("boolean");
    }
  });
});

describe("schema → arbitrary: outside the subset, a reason and where", () => {
  const cases: readonly [string, JsonSchema, RegExp, string][] = [
    ["pattern", { type: "string", pattern: "^a" }, /keyword "pattern"/, "/pattern"],
    [
      "nested format",
      { type: "object", properties: { at: { type: "string", format: "date-time" } } },
      /keyword "format"/,
      "/properties/at/format",
    ],
    ["allOf", { allOf: [{ type: "string" }] }, /keyword "allOf"/, "/allOf"],
    ["external $ref", { $ref: "other.json#/x" }, /only #\/\$defs/, "/$ref"],
    [
      "recursive $ref",
      {
        $defs: { tree: { type: "array", items: { $ref: "#/$defs/tree" } } },
        $ref: "#/$defs/tree",
      },
      /recursive \$ref/,
      "/$defs/tree/items/$ref",
    ],
    [
      "oneOf without values of its own",
      { oneOf: [{ type: "integer" }, { type: "integer" }] },
      /no oneOf branch/,
      "/oneOf",
    ],
    ["false", false, /accepts no value/, ""],
    ["unknown type", { type: "decimal" }, /unknown type "decimal"/, "/type"],
    ["empty bounds", { type: "integer", minimum: 2, maximum: 1 }, /no integer fits/, ""],
  ];
  for (const [name, schema, reason, pointer] of cases) {
    it(name, () => {
      const built = arbitraryFor(schema);
      expect(built.ok).toBe(false);
      if (built.ok) return;
      expect(built.reason).toMatch(reason);
      expect(built.pointer).toBe(pointer);
    });
  }
});
