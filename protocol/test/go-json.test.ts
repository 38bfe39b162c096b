import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  compareCodePoints,
  goJson,
  goString,
  type JsonValue,
  ProtocolError,
} from "../src/index.js";

describe("Go JSON dialect (PROTOCOL.md §4.1)", () => {
  it("escapes <, > and & as Go's HTML-safe encoder does", () => {
    expect(goString("a<b>&c")).toBe('"a\\u003cb\\u003e\\u0026c"');
  });

  it("escapes U+2028 and U+2029, which JSON.stringify leaves raw", () => {
    expect(goString("x\u2028y\u2029")).toBe('"x\\u2028y\\u2029"');
  });

  it("writes control characters like Go: short escapes where Go has them, else \\u00xx", () => {
    expect(goString("\b\f\n\r\t\u0001\u001f")).toBe('"\\b\\f\\n\\r\\t\\u0001\\u001f"');
  });

  it("replaces lone surrogates with U+FFFD but keeps an escaped backslash before a 'u'", () => {
    expect(goString("a\ud800b")).toBe('"a\ufffdb"');
    expect(goString("\\ud800")).toBe('"\\\\ud800"');
    expect(goString("😀")).toBe('"😀"');
  });

  it("sorts object keys by code point, as Go sorts map keys by their UTF-8 bytes", () => {
    expect(goJson({ b: 1, a: { d: 2, c: 3 }, A: 0 })).toBe('{"A":0,"a":{"c":3,"d":2},"b":1}');
    // U+FF5E sorts before U+1F600 in UTF-8, but after its surrogate pair in UTF-16.
    expect(goJson({ "😀": 1, "～": 2 })).toBe('{"～":2,"😀":1}');
    expect(compareCodePoints("😀", "～")).toBeGreaterThan(0);
  });

  it("writes numbers as ES6 does, which Go's float64 encoding follows, -0 included", () => {
    expect(goJson([1, 1.5, 1e21, 1e-7, 123456789012, -0, 0.1])).toBe(
      "[1,1.5,1e+21,1e-7,123456789012,-0,0.1]",
    );
  });

  it("refuses values JSON cannot hold, naming where they are", () => {
    expect(() => goJson({ a: [1, Number.NaN] })).toThrowError(ProtocolError);
    try {
      goJson({ a: [1, Number.POSITIVE_INFINITY] }, "SinkData");
    } catch (e) {
      expect(e).toMatchObject({ code: "PORTABLE_E_ENCODE", kind: "SinkData", field: "a[1]" });
    }
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(() => goJson(cyclic as JsonValue)).toThrowError(/cyclic/);
  });

  it("round-trips every JSON value exactly (property)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = goJson(v as JsonValue);
        expect(JSON.parse(text)).toEqual(v);
        // Stable: what Go writes from the decoded value is the same text again.
        expect(goJson(JSON.parse(text) as JsonValue)).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});
