// Version-2 codecs and wrappers beyond the vectors (PROTOCOL.md §12): both
// forms round-trip any JSON, unknown fields are skipped, limits, reply
// matching and ack settling, and what an encoder refuses to write.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeCallBatch,
  decodeSourceRows,
  encodeCallBatch,
  encodeReplyBatch,
  encodeSinkRows,
  encodeSourceRow,
  encodeSourceRows,
  errorV2,
  FuncContextV2,
  type JsonObject,
  type JsonValue,
  matchReplies,
  ProtocolError,
  SinkRowsV2,
  SourceRowsV2,
  settleAck,
  sourceRowsBody,
  V2_LIMITS,
  v2KindOf,
} from "../src/index.js";

function thrown(f: () => unknown): { code: string; field: string } | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof ProtocolError) return { code: e.code, field: e.field };
    throw e;
  }
  return undefined;
}

const ctx = { ruleId: "r", opId: "o", instanceId: 0, funcId: 0 };

describe("v2 codecs", () => {
  it("round-trip any JSON rows, arguments and results in both forms", () => {
    const row = fc.dictionary(
      fc.string(),
      fc.jsonValue({ maxDepth: 3 }),
    ) as fc.Arbitrary<JsonObject>;
    fc.assert(
      fc.property(
        fc.array(row, { minLength: 1, maxLength: 5 }),
        fc.jsonValue({ maxDepth: 3 }),
        (rows, arg) => {
          for (const encoding of ["protobuf", "json"] as const) {
            const src = SourceRowsV2.decode(
              encodeSourceRows(
                rows.map((message) => ({ message })),
                undefined,
                encoding,
              ),
            );
            expect(src.rows.map((r) => r.message)).toEqual(rows);
            const calls = decodeCallBatch(
              encodeCallBatch(
                [{ id: 1, kind: "EXEC", args: [arg as JsonValue], context: ctx }],
                encoding,
              ),
            );
            expect(calls[0]?.args).toEqual([arg]);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("assemble SourceRowsV2 from rows encoded one by one: the same bytes", () => {
    const row = fc.record(
      {
        message: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
        meta: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
      },
      { requiredKeys: ["message"] },
    ) as fc.Arbitrary<{ message: JsonObject; meta?: JsonObject }>;
    fc.assert(
      fc.property(fc.array(row, { maxLength: 6 }), fc.boolean(), (rows, withError) => {
        const error = withError ? errorV2("PORTABLE_E_SOURCE", "BACKOFF", "gone") : undefined;
        if (rows.length === 0 && !error) return;
        const body = sourceRowsBody(rows.map(encodeSourceRow), error);
        expect(body.equals(encodeSourceRows(rows, error))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("keep every byte when the writer grows inside a nested field", () => {
    // Regression: growing the buffer while closing a length-delimited field
    // copied only the bytes before it, and keys came back empty.
    // Many short fields: some of them close right at the end of the buffer.
    for (let n = 1; n < 80; n++) {
      const row: JsonObject = {};
      for (let i = 0; i < n; i++) row[`k${i}`] = i % 3 === 0 ? null : "v".repeat(i % 4);
      const back = SourceRowsV2.decode(encodeSourceRows([{ message: row }]));
      expect(back.rows[0]?.message, `${n} keys`).toEqual(row);
    }
  });

  it("skip fields they do not know (a later revision may add them)", () => {
    const body = encodeCallBatch([{ id: 1, kind: "IS_AGGREGATE", args: [] }]);
    // field 15 varint 1, field 16 length-delimited "x", field 17 fixed32, field 18 fixed64
    const extra = Buffer.from("7801820101789d010000000091010000000000000000", "hex");
    expect(decodeCallBatch(Buffer.concat([body, extra]))).toEqual(decodeCallBatch(body));
  });

  it("write int64 negatives in ten bytes and uint64 up to 2^53 - 1; refuse larger", () => {
    const neg = { ruleId: "", opId: "", instanceId: -1, funcId: 0 };
    const bytes = FuncContextV2.encode(neg);
    expect(bytes.toString("hex")).toBe("18ffffffffffffffffff01");
    expect(FuncContextV2.decode(bytes)).toEqual(neg);
    const max = { seq: Number.MAX_SAFE_INTEGER, rows: [{}] };
    expect(SinkRowsV2.decode(SinkRowsV2.encode(max)).seq).toBe(Number.MAX_SAFE_INTEGER);
    expect(
      thrown(() => SinkRowsV2.decode(Buffer.from("020408ffffffffffffffffff01", "hex"))),
    ).toEqual({
      code: "PORTABLE_E_DECODE",
      field: "seq",
    });
  });

  it("read invalid UTF-8 as U+FFFD and keep a __proto__ key as data", () => {
    const row = JSON.parse('{"__proto__":{"x":1},"a":"b"}') as JsonObject;
    const back = SourceRowsV2.decode(encodeSourceRows([{ message: row }])).rows[0]?.message;
    expect(Object.keys(back ?? {})).toEqual(["__proto__", "a"]);
    // rows[0].message = {"a": <string of the one byte ff>}
    const body = Buffer.from("02030a0c0a0a0a080a016112031a01ff", "hex");
    expect(SourceRowsV2.decode(body).rows[0]?.message).toEqual({ a: "\ufffd" });
  });

  it("say what a body is: version-2 kind and form, or not version 2", () => {
    expect(v2KindOf(encodeCallBatch([{ id: 1, kind: "IS_AGGREGATE", args: [] }], "json"))).toEqual({
      kind: "CallBatchV2",
      encoding: "json",
    });
    expect(v2KindOf(Buffer.from("handshake v=2"))).toBeUndefined();
    expect(v2KindOf(Buffer.from('{"func":"Exec"}'))).toBeUndefined();
  });
});

describe("v2 limits and refusals", () => {
  it("allow one item above the byte limit, refuse two items above it", () => {
    const big = "x".repeat(V2_LIMITS.maxMessageBytes);
    const one = encodeCallBatch([{ id: 1, kind: "EXEC", args: [big], context: ctx }]);
    expect(decodeCallBatch(one)).toHaveLength(1);
    const two = () =>
      encodeCallBatch([
        { id: 1, kind: "EXEC", args: [big] },
        { id: 2, kind: "IS_AGGREGATE", args: [] },
      ]);
    expect(thrown(two)).toEqual({ code: "PORTABLE_E_LIMIT", field: "" });
    const rows = Array.from({ length: V2_LIMITS.maxRowsPerMessage + 1 }, () => ({ message: {} }));
    expect(thrown(() => encodeSourceRows(rows))).toEqual({
      code: "PORTABLE_E_LIMIT",
      field: "rows",
    });
    expect(decodeSourceRows(encodeSourceRows(rows.slice(1))).rows).toHaveLength(
      V2_LIMITS.maxRowsPerMessage,
    );
  });

  it("refuse to write what no decoder accepts", () => {
    expect(
      thrown(() =>
        encodeCallBatch([
          { id: 3, kind: "IS_AGGREGATE", args: [] },
          { id: 3, kind: "IS_AGGREGATE", args: [] },
        ]),
      ),
    ).toEqual({
      code: "PORTABLE_E_ENCODE",
      field: "calls[1].id",
    });
    expect(thrown(() => encodeCallBatch([{ id: 0, kind: "IS_AGGREGATE", args: [] }]))).toEqual({
      code: "PORTABLE_E_ENCODE",
      field: "calls[0].id",
    });
    expect(thrown(() => encodeCallBatch([{ id: 1, kind: "EXEC", args: [Number.NaN] }]))).toEqual({
      code: "PORTABLE_E_ENCODE",
      field: "calls[0].args[0]",
    });
    expect(thrown(() => encodeSinkRows({ seq: 1, rows: [{}], raw: new Uint8Array([1]) }))).toEqual({
      code: "PORTABLE_E_ENCODE",
      field: "raw",
    });
    const e = errorV2("PORTABLE_E_DECODE", "FATAL", "bad");
    expect(
      thrown(() => encodeReplyBatch({ replies: [{ id: 1, result: null }], error: e })),
    ).toEqual({ code: "PORTABLE_E_ENCODE", field: "error" });
  });
});

describe("matching replies and settling acks", () => {
  it("gives each call its reply in call order; a batch error fails every call", () => {
    const replies = [
      { id: 2, result: "b" },
      { id: 1, result: "a" },
    ];
    expect(matchReplies([1, 2], { replies }).map((r) => r.result)).toEqual(["a", "b"]);
    const error = errorV2("PORTABLE_E_DECODE", "FATAL", "bad batch");
    expect(matchReplies([4, 5], { replies: [], error })).toEqual([
      { id: 4, result: null, error },
      { id: 5, result: null, error },
    ]);
  });

  it("refuses a reply batch that misses a call or answers one not sent", () => {
    expect(thrown(() => matchReplies([1, 2], { replies: [{ id: 1, result: 1 }] }))).toEqual({
      code: "PORTABLE_E_MISMATCH",
      field: "replies",
    });
    expect(
      thrown(() =>
        matchReplies([1], {
          replies: [
            { id: 1, result: 1 },
            { id: 9, result: 1 },
          ],
        }),
      ),
    ).toEqual({
      code: "PORTABLE_E_MISMATCH",
      field: "replies",
    });
  });

  it("settles every message up to an ack's seq, the last one failed when it has an error", () => {
    expect(settleAck({ seq: 5 }, 2, 7)).toEqual({ from: 3, to: 5 });
    const error = errorV2("PORTABLE_E_SINK", "RETRYABLE", "disk full");
    expect(settleAck({ seq: 3, error }, 2, 7)).toEqual({ from: 3, to: 3, failed: 3 });
    expect(thrown(() => settleAck({ seq: 2 }, 2, 7))).toEqual({
      code: "PORTABLE_E_MISMATCH",
      field: "seq",
    });
    expect(thrown(() => settleAck({ seq: 8 }, 2, 7))).toEqual({
      code: "PORTABLE_E_MISMATCH",
      field: "seq",
    });
  });
});
