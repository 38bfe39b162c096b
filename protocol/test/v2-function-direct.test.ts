// The direct readers and writers of the function channel
// (messages/v2-function-direct.ts): on random call and reply batches, on
// every v2 vector and on corrupted bodies the readers return exactly what the
// general decoder returns, or undefined (never a different value, never a
// value where the general decoder refuses the body); the writers write the
// general encoder's bytes (a shared context included), and step aside for
// what they do not handle; the wrappers take the direct path for a plain batch.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CallBatchV2,
  type CallV2,
  decodeCallBatch,
  decodeReplyBatch,
  encodeCallBatch,
  encodeReplyBatch,
  ReplyBatchV2,
  type ReplyV2,
} from "../src/index.js";
import {
  readCallsDirect,
  readRepliesDirect,
  writeCallsDirect,
  writeRepliesDirect,
} from "../src/messages/v2-function-direct.js";
import { corrupted, jsonValue, wireString } from "./arbitraries.js";
import { loadVectors } from "./load-vectors.js";

const str = wireString;
const json = jsonValue(4);
const safeInt = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
);
const context = fc.record({ ruleId: str, opId: str, instanceId: safeInt, funcId: safeInt });
const ids = (n: number) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 0xffffffff }), { minLength: n, maxLength: n });

const callBatch: fc.Arbitrary<CallV2[]> = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.tuple(
      ids(n),
      fc.array(
        fc.record(
          {
            kind: fc.constantFrom("VALIDATE", "EXEC", "IS_AGGREGATE" as const),
            args: fc.array(json, { maxLength: 3 }),
            context,
          },
          { requiredKeys: ["kind", "args"] },
        ),
        { minLength: n, maxLength: n },
      ),
    ),
  )
  .map(([is, cs]) => cs.map((c, i) => ({ ...c, id: is[i] as number }) as CallV2));

const replyBatch: fc.Arbitrary<ReplyV2[]> = fc
  .integer({ min: 1, max: 8 })
  .chain((n) => fc.tuple(ids(n), fc.array(json, { minLength: n, maxLength: n })))
  .map(([is, rs]) => rs.map((result, i) => ({ id: is[i] as number, result })));

/** What the general decoder gives, or "refused". */
function general<T>(decode: () => T): T | "refused" {
  try {
    return decode();
  } catch {
    return "refused";
  }
}

function sameAsGeneral(body: Buffer): void {
  const calls = readCallsDirect(body);
  if (calls !== undefined)
    expect(calls).toStrictEqual(general(() => CallBatchV2.decode(body).calls));
  const replies = readRepliesDirect(body);
  if (replies !== undefined) {
    const g = general(() => ReplyBatchV2.decode(body));
    expect(g === "refused" ? g : { replies: g.replies }).toStrictEqual({ replies });
    if (g !== "refused") expect(g.error).toBeUndefined();
  }
}

describe("direct readers of the function channel", () => {
  it("read random call batches as the general decoder does", () => {
    fc.assert(
      fc.property(callBatch, (calls) => {
        const body = encodeCallBatch(calls);
        const direct = readCallsDirect(body);
        expect(direct).toBeDefined();
        expect(direct).toStrictEqual(CallBatchV2.decode(body).calls);
      }),
      { numRuns: 300 },
    );
  });

  it("read random reply batches as the general decoder does", () => {
    fc.assert(
      fc.property(replyBatch, (replies) => {
        const body = encodeReplyBatch({ replies });
        const direct = readRepliesDirect(body);
        expect(direct).toBeDefined();
        expect({ replies: direct }).toStrictEqual(ReplyBatchV2.decode(body));
      }),
      { numRuns: 300 },
    );
  });

  it("never read a corrupted body differently from the general decoder", () => {
    const corrupt = corrupted(
      fc.oneof(
        callBatch.map(encodeCallBatch),
        replyBatch.map((r) => encodeReplyBatch({ replies: r })),
      ),
    );
    fc.assert(fc.property(corrupt, sameAsGeneral), { numRuns: 1000 });
  });

  it("agree with the general decoder on every v2 vector", () => {
    let read = 0;
    for (const dir of ["v2/spec", "v2/malformed"])
      for (const file of loadVectors(dir))
        for (const c of file.cases) {
          const body = Buffer.from(c.hex, "hex");
          sameAsGeneral(body);
          if (readCallsDirect(body) ?? readRepliesDirect(body)) read++;
        }
    expect(read).toBeGreaterThan(0);
  });

  it("are what decodeCallBatch and decodeReplyBatch use for a plain batch", () => {
    const ctx = { ruleId: "r", opId: "o", instanceId: 1, funcId: -2 };
    const calls: CallV2[] = [
      { id: 7, kind: "EXEC", args: [{ a: 1 }], context: ctx },
      { id: 8, kind: "IS_AGGREGATE", args: [] },
    ];
    const body = encodeCallBatch(calls);
    expect(readCallsDirect(body)).toStrictEqual(calls);
    expect(decodeCallBatch(body)).toStrictEqual(calls);
    const replies = encodeReplyBatch({
      replies: [
        { id: 7, result: { a: 1 } },
        { id: 8, result: null },
      ],
    });
    expect(readRepliesDirect(replies)).toStrictEqual([
      { id: 7, result: { a: 1 } },
      { id: 8, result: null },
    ]);
    expect(decodeReplyBatch(replies)).toStrictEqual({
      replies: [
        { id: 7, result: { a: 1 } },
        { id: 8, result: null },
      ],
    });
  });

  it("leave the JSON form, batch errors and reply errors to the general decoder", () => {
    const calls: CallV2[] = [{ id: 1, kind: "EXEC", args: [1] }];
    expect(readCallsDirect(encodeCallBatch(calls, "json"))).toBeUndefined();
    const error = { code: "PORTABLE_E_FUNCTION", class: "FATAL" as const, message: "x" };
    expect(readRepliesDirect(encodeReplyBatch({ replies: [], error }))).toBeUndefined();
    expect(
      readRepliesDirect(encodeReplyBatch({ replies: [{ id: 1, result: null, error }] })),
    ).toBeUndefined();
  });
});

describe("direct writers of the function channel", () => {
  it("write the general encoder's bytes for random call batches", () => {
    fc.assert(
      fc.property(callBatch, fc.boolean(), (calls, share) => {
        // Calls of one batch with equal contexts (copies, as the host makes): encoded once, same bytes.
        const shared = calls[0]?.context;
        const batch =
          share && shared ? calls.map((c) => ({ ...c, context: { ...shared } })) : calls;
        const direct = writeCallsDirect(batch);
        expect(direct?.toString("hex")).toBe(CallBatchV2.encode({ calls: batch }).toString("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("encode again a context that differs from the last one in any field", () => {
    const base = { ruleId: "r", opId: "o", instanceId: 1, funcId: 2 };
    for (const change of [{ ruleId: "s" }, { opId: "p" }, { instanceId: 3 }, { funcId: 4 }]) {
      const calls: CallV2[] = [
        { id: 1, kind: "EXEC", args: [1], context: base },
        { id: 2, kind: "EXEC", args: [2], context: { ...base, ...change } },
        { id: 3, kind: "EXEC", args: [3], context: { ...base } },
      ];
      expect(writeCallsDirect(calls)?.toString("hex")).toBe(
        CallBatchV2.encode({ calls }).toString("hex"),
      );
    }
  });

  it("write the general encoder's bytes for random reply batches", () => {
    fc.assert(
      fc.property(replyBatch, (replies) => {
        const direct = writeRepliesDirect(replies);
        expect(direct?.toString("hex")).toBe(ReplyBatchV2.encode({ replies }).toString("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("write every protobuf v2 vector of a call or reply batch byte for byte", () => {
    let written = 0;
    for (const file of loadVectors("v2/spec"))
      for (const c of file.cases as Array<(typeof file.cases)[number] & { encoding?: string }>) {
        if (c.encoding === "json") continue;
        const value = c.value as { calls?: CallV2[]; replies?: ReplyV2[]; error?: unknown };
        const body =
          file.kind === "func-call-batch"
            ? writeCallsDirect(value.calls ?? [])
            : file.kind === "func-reply-batch" && value.error === undefined
              ? writeRepliesDirect(value.replies ?? [])
              : undefined;
        if (body === undefined) continue;
        expect(body.toString("hex"), c.name).toBe(c.hex);
        written++;
      }
    expect(written).toBeGreaterThan(0);
  });

  it("step aside for what the general encoder refuses or writes otherwise", () => {
    const nan: CallV2[] = [{ id: 1, kind: "EXEC", args: [Number.NaN] }];
    expect(writeCallsDirect(nan)).toBeUndefined();
    expect(() => encodeCallBatch(nan)).toThrow(/calls\[0\]\.args/);
    expect(writeCallsDirect([{ id: 0, kind: "EXEC", args: [] }])).toBeUndefined();
    const notAKind = [{ id: 1, kind: "toString", args: [] }] as unknown as CallV2[];
    expect(writeCallsDirect(notAKind)).toBeUndefined();
    expect(() => encodeCallBatch(notAKind)).toThrow(/not a value of the enum/);
    const badContext = { ruleId: "r", opId: "o", instanceId: 1.5, funcId: 0 };
    expect(
      writeCallsDirect([{ id: 1, kind: "EXEC", args: [], context: badContext }]),
    ).toBeUndefined();
    const error = { code: "PORTABLE_E_FUNCTION", class: "FATAL" as const, message: "x" };
    expect(writeRepliesDirect([{ id: 1, result: null, error }])).toBeUndefined();
    expect(encodeReplyBatch({ replies: [{ id: 1, result: null, error }] }).toString("hex")).toBe(
      ReplyBatchV2.encode({ replies: [{ id: 1, result: null, error }] }).toString("hex"),
    );
  });
});
