// fast-check arbitraries the codec property tests share: strings as they reach
// the wire (well-formed, lone surrogates, keys above U+E000, long ones) and
// JSON values built from them.
import fc from "fast-check";
import type { JsonValue } from "../src/index.js";

export const wireString = fc.oneof(
  fc.string({ unit: "grapheme" }),
  fc.string({ unit: "binary" }),
  fc.constantFrom("", "a", "\ud800", "\ue000", "\u{1f600}", "<&>", "x".repeat(300)),
);

/** JSON values of small depth; arrays and objects hold at most `width` entries. */
export function jsonValue(width: number): fc.Arbitrary<JsonValue> {
  return fc.letrec<{ v: JsonValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer(),
      wireString,
      fc.array(tie("v"), { maxLength: width }),
      fc.dictionary(wireString, tie("v"), { maxKeys: width }),
    ),
  })).v;
}

/** Bodies from `bodies`, each cut short or with one byte overwritten at a random place. */
export function corrupted(bodies: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Buffer> {
  return fc.tuple(bodies, fc.nat(), fc.nat(255), fc.boolean()).map(([body, at, byte, cut]) => {
    const b = Buffer.from(body);
    const i = at % b.length;
    if (cut) return b.subarray(0, i);
    b[i] = byte;
    return b;
  });
}
