// The direct reader of SinkRowsV2 (readSinkRowsDirect in messages/v2-data.ts):
// on random bodies, every v2 vector and corrupted bodies it returns exactly
// what the general decoder returns, or undefined (never a different value,
// never a value where the general decoder refuses the body); and
// decodeSinkRows takes it for a body of rows.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSinkRows, encodeSinkRows, type JsonObject, SinkRowsV2 } from "../src/index.js";
import { readSinkRowsDirect } from "../src/messages/v2-data.js";
import { corrupted, jsonValue, wireString } from "./arbitraries.js";
import { loadVectors } from "./load-vectors.js";

const str = wireString;
const json = jsonValue(4);
const rows = fc.array(fc.dictionary(str, json, { maxKeys: 5 }) as fc.Arbitrary<JsonObject>, {
  minLength: 1,
  maxLength: 6,
});
const seq = fc.oneof(fc.integer({ min: 1, max: 0xffffffff }), fc.constant(Number.MAX_SAFE_INTEGER));

function sameAsGeneral(body: Buffer): void {
  const direct = readSinkRowsDirect(body);
  if (direct === undefined) return;
  let general: SinkRowsV2 | "refused";
  try {
    general = SinkRowsV2.decode(body);
  } catch {
    general = "refused";
  }
  expect(direct).toStrictEqual(general);
}

describe("readSinkRowsDirect", () => {
  it("reads random bodies of rows as the general decoder does", () => {
    fc.assert(
      fc.property(seq, rows, (s, r) => {
        const body = encodeSinkRows({ seq: s, rows: r });
        const direct = readSinkRowsDirect(body);
        expect(direct).toBeDefined();
        expect(direct).toStrictEqual(SinkRowsV2.decode(body));
      }),
      { numRuns: 300 },
    );
  });

  it("never reads a corrupted body differently from the general decoder", () => {
    const corrupt = corrupted(
      fc.tuple(seq, rows).map(([s, r]) => encodeSinkRows({ seq: s, rows: r })),
    );
    fc.assert(fc.property(corrupt, sameAsGeneral), { numRuns: 1000 });
  });

  it("agrees with the general decoder on every v2 vector", () => {
    let read = 0;
    for (const dir of ["v2/spec", "v2/malformed"])
      for (const file of loadVectors(dir))
        for (const c of file.cases) {
          const body = Buffer.from(c.hex, "hex");
          sameAsGeneral(body);
          if (readSinkRowsDirect(body)) read++;
        }
    expect(read).toBeGreaterThan(0);
  });

  it("leaves raw, a zero or negative seq and the JSON form to the general decoder", () => {
    expect(readSinkRowsDirect(encodeSinkRows({ seq: 1, rows: [], raw: Buffer.from("x") }))).toBe(
      undefined,
    );
    expect(readSinkRowsDirect(encodeSinkRows({ seq: 1, rows: [{ a: 1 }] }, "json"))).toBe(
      undefined,
    );
    // seq 0 (absent) and seq -1 (ten bytes): refused by the general decoder, not read here.
    const zero = Buffer.from("02041202", "hex");
    expect(readSinkRowsDirect(Buffer.concat([zero, Buffer.from("0a00", "hex")]))).toBeUndefined();
    const negative = Buffer.from("020408ffffffffffffffffff01", "hex");
    expect(readSinkRowsDirect(negative)).toBeUndefined();
    expect(() => decodeSinkRows(negative)).toThrow(/negative/);
  });

  it("is what decodeSinkRows uses for a body of rows", () => {
    const body = encodeSinkRows({ seq: 3, rows: [{ a: 1 }, { b: "x" }] });
    expect(readSinkRowsDirect(body)).toStrictEqual({ seq: 3, rows: [{ a: 1 }, { b: "x" }] });
    expect(decodeSinkRows(body)).toStrictEqual({ seq: 3, rows: [{ a: 1 }, { b: "x" }] });
  });
});
