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

// goJson writes values JSON.stringify can write (keys already in Go's order,
// no -0) with the native stringify and fixes the escapes on its output; this
// reference writes everything by Go's rules. They must agree byte for byte.
function reference(v: JsonValue): string {
  if (v === null) return "null";
  if (typeof v === "string") return goString(v);
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map(reference).join(",")}]`;
  const keys = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort(compareCodePoints);
  return `{${keys.map((k) => `${goString(k)}:${reference(v[k] as JsonValue)}`).join(",")}}`;
}

/** Any UTF-16 code unit, lone surrogates and `<>&` U+2028 included. */
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const nasty = fc.oneof(
  fc.string({ unit: anyUnit }),
  fc.constantFrom("<", ">", "&", "\u2028", "\\ud800", "\\", "\ud83d\ude00", "\ud800", "10", "9"),
);

/** Objects built in Go's key order, so that the native path is the one taken. */
const sortedObject = <T>(values: fc.Arbitrary<T>) =>
  fc.dictionary(nasty, values).map((d) => {
    const out: Record<string, T> = {};
    for (const k of Object.keys(d).sort(compareCodePoints)) out[k] = d[k] as T;
    return out;
  });

describe("Go JSON fast path (native stringify)", () => {
  it("writes what Go's rules write, for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => goJson(v as JsonValue) === reference(v as JsonValue)),
    );
  });

  it("writes what Go's rules write for sorted objects holding hostile strings and numbers", () => {
    const leaf = fc.oneof(
      nasty,
      fc.double(),
      fc.constant(-0),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
    );
    const { tree } = fc.letrec((tie) => ({
      tree: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("tree")),
        sortedObject(tie("tree")),
      ),
    }));
    fc.assert(
      fc.property(tree, (v) => {
        const value = v as JsonValue;
        let expected: string;
        try {
          expected = reference(value);
        } catch {
          return true;
        }
        if (/NaN|Infinity/.test(expected)) {
          expect(() => goJson(value)).toThrow(ProtocolError);
          return true;
        }
        return goJson(value) === expected;
      }),
    );
  });

  it("skips undefined properties and falls back for array holes, -0 and deep values alike", () => {
    expect(goJson({ a: 1, b: undefined, c: -0 } as unknown as JsonValue)).toBe('{"a":1,"c":-0}');
    expect(goJson({ "10": 1, "9": 2 })).toBe('{"10":1,"9":2}');
    let deep: JsonValue = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(goJson(deep)).toBe(`${"[".repeat(100)}1${"]".repeat(100)}`);
  });
});
