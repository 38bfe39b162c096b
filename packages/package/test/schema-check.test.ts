// Values against compiled typed symbols (PROTOCOL.md §6.4.1): the problem
// names the argument, the path inside it, what was expected and what came.

import { describe, expect, it } from "vitest";
import { compileSchemas } from "../src/schema-check.js";
import type { PluginSchemas } from "../src/symbol-schemas.js";

const schemas: PluginSchemas = {
  functions: new Map([
    [
      "scale",
      {
        params: [
          { name: "value", schema: { type: "number" }, optional: false },
          {
            name: "opts",
            schema: {
              type: "object",
              properties: { factor: { type: "integer", minimum: 1 } },
              additionalProperties: false,
            },
            optional: true,
          },
        ],
        result: { type: "number" },
      },
    ],
    [
      "concat",
      {
        params: [],
        variadic: { name: "parts", schema: { type: "string" } },
        result: { type: "string" },
      },
    ],
  ]),
  sources: new Map([
    [
      "random",
      {
        config: {
          type: "object",
          properties: { interval: { type: "integer", minimum: 1 } },
          required: ["interval"],
        },
      },
    ],
  ]),
  sinks: new Map([["file", { row: { type: "object", properties: { n: { enum: [1, 2] } } } }]]),
};

const compiled = compileSchemas(schemas);
const scale = compiled.functions.get("scale");
const concat = compiled.functions.get("concat");

describe("checking values against typed symbols", () => {
  it("accepts arguments that fit, with and without the optional one", () => {
    expect(scale?.checkArgs([1.5])).toBeUndefined();
    expect(scale?.checkArgs([2, { factor: 3 }])).toBeUndefined();
    expect(concat?.checkArgs([])).toBeUndefined();
    expect(concat?.checkArgs(["a", "b", "c"])).toBeUndefined();
  });

  it("names the argument, the path and the expected type", () => {
    expect(scale?.checkArgs(["x"])).toEqual({
      what: "argument 1 (value)",
      path: "",
      expected: "number",
      message: 'argument 1 (value): expected number, got string "x"',
    });
    expect(scale?.checkArgs([1, { factor: 0.5 }])?.message).toBe(
      "argument 2 (opts) at /factor: expected integer, got number 0.5",
    );
    expect(scale?.checkArgs([1, { factor: 0 }])?.message).toBe(
      "argument 2 (opts) at /factor: expected >= 1, got number 0",
    );
    expect(scale?.checkArgs([1, { fator: 2 }])?.message).toBe(
      "argument 2 (opts) at /fator: expected no such property, got number 2",
    );
  });

  it("checks variadic arguments by position", () => {
    expect(concat?.checkArgs(["a", "b", 3])?.message).toBe(
      "argument 3 (parts): expected string, got number 3",
    );
  });

  it("checks the number of arguments", () => {
    expect(scale?.checkArgs([])?.message).toBe("arguments: expected 1 to 2 arguments, got 0");
    expect(scale?.checkArgs([1, {}, 3])?.message).toBe(
      "arguments: expected 1 to 2 arguments, got 3",
    );
  });

  it("checks results, configurations and rows", () => {
    expect(scale?.checkResult(1)).toBeUndefined();
    expect(scale?.checkResult("1")?.message).toBe('result: expected number, got string "1"');
    const random = compiled.sources.get("random");
    expect(random?.checkRow).toBeUndefined();
    expect(random?.checkConfig?.({ interval: 10 })).toBeUndefined();
    expect(random?.checkConfig?.({})?.message).toBe(
      'configuration at /interval: expected a value (property "interval" is required), got nothing',
    );
    expect(random?.checkConfig?.({ interval: "fast" })).toMatchObject({
      path: "/interval",
      expected: "integer",
    });
    expect(compiled.sinks.get("file")?.checkRow?.({ n: 3 })?.message).toBe(
      "row at /n: expected one of 1, 2, got number 3",
    );
  });
});
