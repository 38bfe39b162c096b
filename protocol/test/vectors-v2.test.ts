// The version-2 vectors (vectors/v2/, PROTOCOL.md §10.6, §12): every `spec`
// case decodes to its value and re-encodes to its bytes, every malformed case
// is refused with its code and field, and an independent protobuf
// implementation (protobufjs, from the same schema) reads and writes the same
// bytes as our generated codecs.

import { describe, expect, it } from "vitest";
import { isV2WireKind, ProtocolError, v2KindOf, v2WireKinds } from "../src/index.js";
import type { JsonValue } from "../src/json.js";
import { loadVectors } from "./load-vectors.js";
import { pbjsV2Root } from "./pbjs-v2.js";

const specFiles = loadVectors("v2/spec");
const malformedFiles = loadVectors("v2/malformed");

describe("v2 vectors (spec)", () => {
  it("cover every version-2 kind", () => {
    expect(specFiles.map((f) => f.kind).sort()).toEqual(Object.keys(v2WireKinds).sort());
    expect(malformedFiles.length).toBeGreaterThanOrEqual(5);
  });
  for (const file of specFiles) {
    describe(file.path, () => {
      it("names its kind, producer and provenance", () => {
        expect(isV2WireKind(file.kind), file.kind).toBe(true);
        expect(file.producer).toBe("spec");
        expect(file.provenance).toBe("reproduced");
        expect(file.how.length).toBeGreaterThan(20);
      });
      if (!isV2WireKind(file.kind)) return;
      const codec = v2WireKinds[file.kind];
      for (const c of file.cases as Array<(typeof file.cases)[number] & { encoding?: string }>) {
        it(`${c.name}: decodes to its value and re-encodes to the same bytes`, () => {
          const bytes = Buffer.from(c.hex, "hex");
          expect(codec.decode(bytes)).toEqual(c.value);
          const encoding = c.encoding === "json" ? "json" : "protobuf";
          if (file.kind !== "handshake") expect(v2KindOf(bytes)?.encoding).toBe(encoding);
          expect(c.reencode).toBe(true);
          expect(codec.encode(c.value as JsonValue, encoding).toString("hex")).toBe(c.hex);
        });
      }
    });
  }
});

describe("v2 vectors (malformed)", () => {
  for (const file of malformedFiles) {
    describe(file.path, () => {
      if (!isV2WireKind(file.kind)) throw new Error(`unknown kind ${file.kind}`);
      const codec = v2WireKinds[file.kind];
      for (const c of file.cases) {
        it(`${c.name}: is refused with ${c.error?.code} naming "${c.error?.field}"`, () => {
          let thrown: unknown;
          try {
            codec.decode(Buffer.from(c.hex, "hex"));
          } catch (e) {
            thrown = e;
          }
          expect(thrown).toBeInstanceOf(ProtocolError);
          const err = thrown as ProtocolError;
          expect({ code: err.code, field: err.field }).toEqual(c.error);
        });
      }
    });
  }
});

// protobufjs, from the same .proto file: an independent reader and writer.
const root = pbjsV2Root;
const typeOf: Record<string, string> = {
  "func-call-batch": "CallBatchV2",
  "func-reply-batch": "ReplyBatchV2",
  "source-rows": "SourceRowsV2",
  "sink-rows": "SinkRowsV2",
  "sink-ack-seq": "SinkAckV2",
  "state-request": "StateRequestV2",
  "state-reply": "StateReplyV2",
};
const value = root.lookupType("google.protobuf.Value");
const struct = root.lookupType("google.protobuf.Struct");
const list = root.lookupType("google.protobuf.ListValue");

/** protobufjs' Value / Struct / ListValue objects as plain JSON, and back. */
function plain(v: unknown, t: "value" | "struct" | "list"): JsonValue {
  const o = v as Record<string, unknown>;
  if (t === "struct")
    return Object.fromEntries(
      Object.entries((o.fields ?? {}) as Record<string, unknown>).map(([k, x]) => [
        k,
        plain(x, "value"),
      ]),
    );
  if (t === "list") return ((o.values ?? []) as unknown[]).map((x) => plain(x, "value"));
  if ("numberValue" in o) return o.numberValue as number;
  if ("stringValue" in o) return o.stringValue as string;
  if ("boolValue" in o) return o.boolValue as boolean;
  if ("structValue" in o) return plain(o.structValue, "struct");
  if ("listValue" in o) return plain(o.listValue, "list");
  return null;
}

describe("v2 protobuf bytes, read by protobufjs", () => {
  for (const file of specFiles) {
    const name = typeOf[file.kind];
    if (!name) continue;
    const type = root.lookupType(`portable.v2.${name}`);
    for (const c of file.cases as Array<(typeof file.cases)[number] & { encoding?: string }>) {
      if (c.encoding === "json") continue;
      it(`${file.kind}/${c.name}: protobufjs decodes the same message`, () => {
        const msg = type.decode(Buffer.from(c.hex, "hex").subarray(2));
        const obj = type.toObject(msg, { enums: String, bytes: String, longs: Number });
        expect(normalize(obj, file.kind)).toEqual(c.value);
      });
    }
  }
  it("Struct, Value and ListValue types resolve", () => {
    expect([value.name, struct.name, list.name]).toEqual(["Value", "Struct", "ListValue"]);
  });
});

/** protobufjs' object for a kind, with Struct/Value/ListValue made plain JSON. */
function normalize(obj: Record<string, unknown>, kind: string): unknown {
  const fix = (o: Record<string, unknown>, fields: Record<string, "value" | "struct" | "list">) => {
    for (const [k, t] of Object.entries(fields)) if (k in o) o[k] = plain(o[k], t);
    return o;
  };
  switch (kind) {
    case "func-call-batch":
      for (const c of (obj.calls ?? []) as Record<string, unknown>[]) fix(c, { args: "list" });
      break;
    case "func-reply-batch":
      for (const r of (obj.replies ?? []) as Record<string, unknown>[]) fix(r, { result: "value" });
      break;
    case "source-rows":
      for (const r of (obj.rows ?? []) as Record<string, unknown>[])
        fix(r, { message: "struct", meta: "struct" });
      break;
    case "sink-rows":
      obj.rows = ((obj.rows ?? []) as unknown[]).map((r) => plain(r, "struct"));
      if ((obj.rows as unknown[]).length === 0) delete obj.rows;
      break;
  }
  return JSON.parse(JSON.stringify(obj)) as unknown;
}
