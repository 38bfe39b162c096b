// The direct Struct / Value / ListValue encoder (codec/pb-struct-direct.ts)
// and SourceRowsBuilder: byte for byte the same as the path-aware writer
// (pb-struct.ts) and as protobufjs from the same schema on random JSON, a
// round trip through the decoder, the same typed errors, and malformed bytes
// refused with PORTABLE_E_DECODE.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { writeList, writeStruct, writeValue } from "../src/codec/pb-struct.js";
import { writeShapeField } from "../src/codec/pb-struct-direct.js";
import { PbWriter } from "../src/codec/pb-wire.js";
import {
  decodeSourceRows,
  encodeSourceRow,
  encodeSourceRows,
  errorV2,
  type JsonObject,
  type JsonValue,
  ProtocolError,
  SourceRowsBuilder,
  SourceRowsV2,
  SourceRowV2,
} from "../src/index.js";
import { readRowsDirect } from "../src/messages/v2-source-rows.js";
import { jsonValue, wireString } from "./arbitraries.js";
import { pbjsV2Root } from "./pbjs-v2.js";

const str = wireString;
const json = jsonValue(5);
const object = fc.dictionary(str, json, { maxKeys: 6 }) as fc.Arbitrary<JsonObject>;

type Shape = "struct" | "value" | "list";
function direct(shape: Shape, v: unknown): Buffer {
  const w = new PbWriter(8);
  writeShapeField(w, 3, shape, v, "T", "", "f", "f");
  return Buffer.from(w.finish());
}
function pathAware(shape: Shape, v: unknown): Buffer {
  const w = new PbWriter(8);
  const s = w.lenField(3);
  if (shape === "struct") writeStruct(w, v as JsonObject, "T", "f");
  else if (shape === "list") writeList(w, v as JsonValue[], "T", "f");
  else writeValue(w, v as JsonValue, "T", "", "f");
  w.end(s);
  return Buffer.from(w.finish());
}

describe("direct Struct/Value/ListValue encoder", () => {
  it("writes the bytes of the path-aware writer for any JSON value", () => {
    fc.assert(
      fc.property(object, json, fc.array(json, { maxLength: 6 }), (o, v, a) => {
        expect(direct("struct", o).equals(pathAware("struct", o))).toBe(true);
        expect(direct("value", v).equals(pathAware("value", v))).toBe(true);
        expect(direct("list", a).equals(pathAware("list", a))).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips any JSON object through SourceRowV2", () => {
    fc.assert(
      fc.property(object, (message) => {
        const row = Object.keys(message).length > 0 ? { message } : { message: {} };
        const back = SourceRowV2.decode(SourceRowV2.encode(row));
        // Lone surrogates come back as U+FFFD: compare with what the writer means.
        expect(back.message).toEqual(wellFormed(message));
      }),
      { numRuns: 300 },
    );
  });

  it("lengths of 128 bytes and more take multi-byte varints", () => {
    for (const n of [127, 128, 16_383, 16_384, 70_000]) {
      const o = { k: "y".repeat(n), l: ["z".repeat(n), { m: "w".repeat(n) }] };
      expect(direct("struct", o).equals(pathAware("struct", o))).toBe(true);
      expect(SourceRowV2.decode(SourceRowV2.encode({ message: o })).message).toEqual(o);
    }
  });

  it("refuses what has no protobuf form with the path-aware writer's typed error", () => {
    const cases: unknown[] = [
      { a: Number.NaN },
      { a: [1, Number.POSITIVE_INFINITY] },
      { a: { b: 1n } },
      { a: { b: () => 1 } },
    ];
    for (const message of cases) {
      let err: unknown;
      try {
        SourceRowV2.encode({ message: message as JsonObject });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as ProtocolError).code).toBe("PORTABLE_E_ENCODE");
      expect((err as ProtocolError).field).toMatch(/^message\.a/);
    }
  });

  it("values deeper than the decoder's limit still encode as before", () => {
    let deep: JsonValue = 1;
    for (let i = 0; i < 120; i++) deep = { d: deep };
    expect(direct("struct", { x: deep }).equals(pathAware("struct", { x: deep }))).toBe(true);
  });
});

/** What a JSON value reads back as: lone surrogates become U+FFFD. */
function wellFormed(v: JsonValue): JsonValue {
  const fix = (s: string) => Buffer.from(s, "utf8").toString("utf8");
  if (typeof v === "string") return fix(v);
  if (Array.isArray(v)) return v.map(wellFormed);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [fix(k), wellFormed(x)]));
  return v;
}

// protobufjs, from the same .proto file: an independent writer.
const root = pbjsV2Root;
const PbjsRow = root.lookupType("portable.v2.SourceRowV2");

/** protobufjs' object for a scalar Value. */
function pbjsValue(v: string | number | boolean | null): unknown {
  if (v === null) return { nullValue: 0 };
  if (typeof v === "number") return { numberValue: v };
  if (typeof v === "string") return { stringValue: v };
  return { boolValue: v };
}

// Keys protobufjs writes in insertion order: no array-index keys (JS lists
// those first, numerically), so every key starts with a letter.
const pbjsKey = fc
  .oneof(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: "grapheme", minLength: 1 }))
  .map((s) => `k${s}`);
const pbjsJson: fc.Arbitrary<JsonValue> = fc.letrec<{ v: JsonValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.constant(null),
    fc.boolean(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: "grapheme" }),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(pbjsKey, tie("v"), { minKeys: 1, maxKeys: 4 }),
  ),
})).v;

describe("direct encoder against protobufjs", () => {
  it("SourceRowV2 bytes equal protobufjs' for random JSON rows", () => {
    fc.assert(
      fc.property(fc.dictionary(pbjsKey, pbjsJson, { minKeys: 1, maxKeys: 5 }), (message) => {
        // protobufjs' fields are inserted in code-point order below; skip the
        // rare cases where code-unit order (what JS sorts by) differs from it.
        const keys = Object.keys(message);
        const cu = [...keys].sort();
        const cp = [...keys].sort((a, b) => cmpCodePoints(a, b));
        fc.pre(cu.join("\0") === cp.join("\0") && nestedOrdered(message));
        const ours = SourceRowV2.encode({ message: message as JsonObject });
        const theirs = PbjsRow.encode(
          PbjsRow.fromObject({ message: pbjsStructSorted(message as JsonObject) }),
        ).finish();
        expect(Buffer.from(theirs).toString("hex")).toBe(ours.toString("hex"));
      }),
      { numRuns: 300 },
    );
  });
});

function cmpCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) ?? 0);
  const y = [...b].map((c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(x.length, y.length); i++)
    if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}
function nestedOrdered(v: JsonValue): boolean {
  if (Array.isArray(v)) return v.every(nestedOrdered);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    const cu = [...keys].sort().join("\0");
    const cp = [...keys].sort(cmpCodePoints).join("\0");
    return cu === cp && Object.values(v).every(nestedOrdered);
  }
  return true;
}
/** protobufjs' Struct object, keys inserted in code-point order (the order §12.2 writes). */
function pbjsStructSorted(o: JsonObject): unknown {
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(o).sort(cmpCodePoints))
    fields[k] = pbjsValueSorted(o[k] as JsonValue);
  return { fields };
}
function pbjsValueSorted(v: JsonValue): unknown {
  if (v !== null && typeof v === "object" && !Array.isArray(v))
    return { structValue: pbjsStructSorted(v) };
  if (Array.isArray(v)) return { listValue: { values: v.map(pbjsValueSorted) } };
  return pbjsValue(v);
}

describe("SourceRowsBuilder", () => {
  const row = fc.record(
    { message: object, meta: object },
    { requiredKeys: ["message"] },
  ) as fc.Arbitrary<{ message: JsonObject; meta?: JsonObject }>;

  it("builds the bytes of encodeSourceRows, with or without an error", () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), fc.boolean(), (rows, withError) => {
        const error = withError ? errorV2("PORTABLE_E_SOURCE", "BACKOFF", "down") : undefined;
        fc.pre(rows.length > 0 || error !== undefined);
        const b = new SourceRowsBuilder(16);
        for (const r of rows) b.add(r);
        const built = b.finish(error);
        expect(built.toString("hex")).toBe(encodeSourceRows(rows, error).toString("hex"));
        const viaEncoded = new SourceRowsBuilder();
        for (const r of rows) viaEncoded.addEncoded(encodeSourceRow(r));
        expect(viaEncoded.finish(error).equals(built)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("a refused row adds nothing; popLast takes the last row back", () => {
    const b = new SourceRowsBuilder();
    b.add({ message: { a: 1 } });
    const mark = b.bytes;
    expect(() => b.add({ message: { a: Number.NaN } })).toThrow(ProtocolError);
    expect([b.rows, b.bytes]).toEqual([1, mark]);
    b.add({ message: { b: "x".repeat(200) } });
    const last = b.popLast(mark);
    expect(SourceRowV2.decode(last)).toEqual({ message: { b: "x".repeat(200) } });
    expect(decodeSourceRows(b.finish()).rows).toEqual([{ message: { a: 1 } }]);
  });
});

describe("malformed bytes", () => {
  it("any truncation or corruption of a rows body decodes or throws PORTABLE_E_DECODE", () => {
    fc.assert(
      fc.property(
        fc.array(object, { minLength: 1, maxLength: 3 }),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        (messages, at, byte, truncate) => {
          const body = Buffer.from(encodeSourceRows(messages.map((message) => ({ message }))));
          const i = 2 + (at % Math.max(1, body.length - 2));
          const bad = truncate ? body.subarray(0, i) : body;
          if (!truncate) bad[i] = byte;
          try {
            decodeSourceRows(bad);
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
            expect((e as ProtocolError).code).toMatch(/^PORTABLE_E_(DECODE|LIMIT)$/);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("direct rows reader", () => {
  const row = fc.record({ message: object, meta: object }, { requiredKeys: [] }) as fc.Arbitrary<{
    message: JsonObject;
    meta?: JsonObject;
  }>;

  it("reads what the general decoder reads, and steps aside for anything else", () => {
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
        fc.nat(),
        (rows, withError, edits, cut) => {
          const error = withError ? errorV2("PORTABLE_E_SOURCE", "BACKOFF", "x") : undefined;
          const body = Buffer.from(encodeSourceRows(rows, error));
          for (const [at, byte] of edits) body[2 + (at % (body.length - 2))] = byte;
          const bad =
            edits.length > 0 && cut % 2 === 1
              ? body.subarray(0, 2 + (cut % (body.length - 2)))
              : body;
          const direct = readRowsDirect(bad);
          let general: unknown;
          try {
            general = SourceRowsV2.decode(bad).rows;
          } catch (e) {
            expect(e).toBeInstanceOf(ProtocolError);
            expect(direct).toBeUndefined();
            return;
          }
          if (direct !== undefined) expect(direct).toEqual(general);
          if (edits.length === 0 && !withError) expect(direct).toEqual(general);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("hand-written rows: an empty meta, a repeated message, an unknown field", () => {
    const body = (hex: string) => Buffer.from(`0203${hex}`, "hex");
    // Row 1: message {a: true} and an empty meta (dropped, as the general decoder does).
    const emptyMeta = body("0a0d" + "0a09" + "0a070a016112022001" + "1200");
    expect(readRowsDirect(emptyMeta)).toEqual([{ message: { a: true } }]);
    expect(readRowsDirect(emptyMeta)).toEqual(SourceRowsV2.decode(emptyMeta).rows);
    // The message field twice: the last one counts in both readers.
    const twice = body("0a16" + "0a09" + "0a070a016112022001" + "0a09" + "0a070a016212022000");
    expect(readRowsDirect(twice)).toEqual(SourceRowsV2.decode(twice).rows);
    expect(readRowsDirect(twice)).toEqual([{ message: { b: false } }]);
    // An unknown field in a row: the general decoder skips it; the direct one steps aside.
    const unknown = body("0a0d" + "0a09" + "0a070a016112022001" + "1801");
    expect(readRowsDirect(unknown)).toBeUndefined();
    expect(SourceRowsV2.decode(unknown).rows).toEqual([{ message: { a: true } }]);
  });
});
