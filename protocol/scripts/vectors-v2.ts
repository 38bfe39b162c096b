// Writes vectors/v2/spec/<kind>.json and vectors/v2/malformed/<kind>.json
// (PROTOCOL.md §10.6, §12) with this package's version-2 codecs: the `spec`
// producer. Cases are declared here as values; the bytes come from the
// encoders. `npm run vectors:v2`; test/vectors-v2.test.ts checks the files.

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ProtocolError } from "../src/errors.js";
import type { JsonValue } from "../src/json.js";
import { type V2WireKind, v2WireKinds } from "../src/kinds-v2.js";

const root = fileURLToPath(new URL("../vectors/v2/", import.meta.url));
const HOW =
  "cd protocol && npm run vectors:v2 (scripts/vectors-v2.ts): each value encoded by this package's version-2 codecs (src/codec/v2-codec.ts, generated from schemas/portable_v2.proto)";

type Spec = { name: string; description: string; value: JsonValue; json?: boolean };
type Bad = { name: string; description: string; hex: string };

const ctx = { ruleId: "rule1", opId: "op1", instanceId: 1, funcId: 1 };
const err = (code: string, cls: string, message: string) => ({ code, class: cls, message });
const b64 = (text: string) => Buffer.from(text).toString("base64");
const inst = { symbol: "pyjson", ruleId: "rule1", opId: "op1", instanceId: 1 };

const good: Record<V2WireKind, Spec[]> = {
  handshake: [
    {
      name: "version-2",
      description:
        "every handshake of a plugin that chose version 2 (§10.3): first control request, first request of each function channel, keepalives",
      value: { handshake: true, version: 2 },
    },
  ],
  "func-call-batch": [
    {
      name: "exec-one",
      description: "one Exec, the v1 example of §4.6.1 as a batch",
      value: { calls: [{ id: 1, kind: "EXEC", args: ["twelve"], context: ctx }] },
    },
    {
      name: "exec-one-json",
      description: "the same batch in the JSON form (kind byte 0x81)",
      value: { calls: [{ id: 1, kind: "EXEC", args: ["twelve"], context: ctx }] },
      json: true,
    },
    {
      name: "three-kinds",
      description: "Validate, IsAggregate and an Exec with no arguments in one batch",
      value: {
        calls: [
          { id: 7, kind: "VALIDATE", args: ["a", 1] },
          { id: 8, kind: "IS_AGGREGATE" },
          { id: 9, kind: "EXEC", context: { ...ctx, funcId: 2 } },
        ],
      },
    },
    {
      name: "exec-values",
      description: "an Exec whose arguments hold every JSON type; object keys sorted by code point",
      value: {
        calls: [
          {
            id: 300,
            kind: "EXEC",
            args: [null, true, -0.5, "é", [1, "x"], { b: 2, a: { c: null } }],
            context: ctx,
          },
        ],
      },
    },
  ],
  "func-reply-batch": [
    {
      name: "out-of-order",
      description: "replies to calls 9, 7 and 8, in the order they finished",
      value: { replies: [{ id: 9, result: "twelve" }, { id: 7 }, { id: 8, result: false }] },
    },
    {
      name: "one-failed",
      description: "call 2 failed: a typed error instead of a result",
      value: {
        replies: [
          { id: 1, result: 12 },
          {
            id: 2,
            error: err(
              "PORTABLE_E_FUNCTION",
              "FATAL",
              "echo function only supports 1 parameter but got 2",
            ),
          },
        ],
      },
    },
    {
      name: "batch-failed",
      description: "the plugin could not read the batch: one error for every call",
      value: {
        error: err(
          "PORTABLE_E_DECODE",
          "FATAL",
          "CallBatchV2.calls[0].kind: 9 is not a value of the enum",
        ),
      },
    },
    {
      name: "one-failed-json",
      description: "one-failed in the JSON form (kind byte 0x82)",
      value: {
        replies: [
          { id: 1, result: 12 },
          {
            id: 2,
            error: err(
              "PORTABLE_E_FUNCTION",
              "FATAL",
              "echo function only supports 1 parameter but got 2",
            ),
          },
        ],
      },
      json: true,
    },
  ],
  "state-request": [
    {
      name: "put-offset",
      description: "put the value 42 (JSON text) under key offset of a source instance",
      value: { id: 1, op: "PUT", ...inst, key: "offset", value: b64("42") },
    },
    {
      name: "get-offset",
      description: "get key offset of the same instance",
      value: { id: 2, op: "GET", ...inst, key: "offset" },
    },
    {
      name: "delete-offset",
      description: "delete key offset of instance 0 (instanceId 0 is not written)",
      value: { id: 3, op: "DELETE", ...inst, instanceId: 0, key: "offset" },
    },
    {
      name: "put-offset-json",
      description: "put-offset in the JSON form (kind byte 0x86); bytes are base64",
      value: { id: 1, op: "PUT", ...inst, key: "offset", value: b64("42") },
      json: true,
    },
  ],
  "state-reply": [
    { name: "put-ok", description: "the put of request 1 is durable", value: { id: 1 } },
    {
      name: "get-found",
      description: "request 2 found the value 42",
      value: { id: 2, found: true, value: b64("42") },
    },
    { name: "get-missing", description: "request 2 found no value", value: { id: 2 } },
    {
      name: "quota",
      description: "a put refused: the instance holds the most keys it may (§13.5); FATAL",
      value: {
        id: 4,
        error: err("PORTABLE_E_STATE_QUOTA", "FATAL", "instance holds 1024 keys, the limit"),
      },
    },
    {
      name: "backend-away",
      description: "the host's store lost its backend; RETRYABLE: the SDK sends the request again",
      value: { id: 5, error: err("PORTABLE_E_STATE", "RETRYABLE", "redis connection lost") },
    },
    {
      name: "get-found-json",
      description: "get-found in the JSON form (kind byte 0x87)",
      value: { id: 2, found: true, value: b64("42") },
      json: true,
    },
  ],
  "source-rows": [
    {
      name: "two-rows",
      description: "the row of §4.4.1 with its meta, then a row without meta",
      value: {
        rows: [
          { message: { humidity: 76, temperature: 23.5 }, meta: { topic: "sensors/1" } },
          { message: { humidity: 75, temperature: 23.25 } },
        ],
      },
    },
    {
      name: "error-backoff",
      description:
        "a source error, class BACKOFF: the source keeps its instance and tries again later",
      value: { error: err("PORTABLE_E_SOURCE", "BACKOFF", "connection refused") },
    },
    {
      name: "two-rows-json",
      description: "two-rows in the JSON form (kind byte 0x83)",
      value: {
        rows: [
          { message: { humidity: 76, temperature: 23.5 }, meta: { topic: "sensors/1" } },
          { message: { humidity: 75, temperature: 23.25 } },
        ],
      },
      json: true,
    },
  ],
  "sink-rows": [
    {
      name: "two-rows",
      description: "message 1 of a sink instance: the two rows of §4.5.1",
      value: {
        seq: 1,
        rows: [
          { count: 5, name: "hello" },
          { count: 10, name: "world" },
        ],
      },
    },
    {
      name: "raw",
      description:
        "message 2: the body a non-JSON format produced, as bytes (base64 in the JSON form)",
      value: { seq: 2, raw: Buffer.from("count=5\n").toString("base64") },
    },
    {
      name: "two-rows-json",
      description: "two-rows in the JSON form (kind byte 0x84)",
      value: {
        seq: 1,
        rows: [
          { count: 5, name: "hello" },
          { count: 10, name: "world" },
        ],
      },
      json: true,
    },
  ],
  "sink-ack-seq": [
    { name: "upto-3", description: "messages up to 3 are handled", value: { seq: 3 } },
    {
      name: "failed-4",
      description:
        "message 4 failed (and every earlier one not yet acked succeeded); RETRYABLE: the host may send it again",
      value: { seq: 4, error: err("PORTABLE_E_SINK", "RETRYABLE", "disk full") },
    },
    {
      name: "upto-3-json",
      description: "upto-3 in the JSON form (kind byte 0x85)",
      value: { seq: 3 },
      json: true,
    },
  ],
};

const hex = (...parts: (string | Buffer)[]) =>
  parts.map((p) => (typeof p === "string" ? p.replace(/ /g, "") : p.toString("hex"))).join("");
const enc = (k: V2WireKind, v: JsonValue) => v2WireKinds[k].encode(v);
const exec1 = enc("func-call-batch", good["func-call-batch"][0]?.value ?? null);
// Built by hand: the encoders refuse these values.
const call = (id: number) => `0a04 08${id.toString(16).padStart(2, "0")} 1003`;

const bad: Partial<Record<V2WireKind, Bad[]>> = {
  "func-call-batch": [
    { name: "empty-body", description: "no bytes at all", hex: "" },
    {
      name: "header-only-version",
      description: "one byte: the version byte without a kind",
      hex: "02",
    },
    {
      name: "v1-json-body",
      description: "a version-1 FuncCall on a version-2 channel",
      hex: Buffer.from('{"func":"IsAggregate","arg":null}').toString("hex"),
    },
    {
      name: "wrong-kind",
      description: "a ReplyBatchV2 kind byte where a CallBatchV2 is expected",
      hex: hex("0202", exec1.subarray(2)),
    },
    {
      name: "truncated",
      description: "exec-one without its last byte",
      hex: exec1.subarray(0, -1).toString("hex"),
    },
    {
      name: "length-past-end",
      description: "calls[0] announces 100 bytes, 4 follow",
      hex: "0201 0a64 08011002",
    },
    {
      name: "wire-type-7",
      description: "a tag with wire type 7, which no protobuf encoder writes",
      hex: "0201 0f",
    },
    { name: "field-number-0", description: "a tag for field 0", hex: "0201 0000" },
    { name: "no-calls", description: "a batch without calls", hex: "0201" },
    {
      name: "duplicate-call-ids",
      description: "two calls with id 5",
      hex: `0201 ${call(5)} ${call(5)}`,
    },
    {
      name: "id-zero",
      description: "a call without an id (0 is not an id)",
      hex: "0201 0a02 1003",
    },
    { name: "unknown-call-kind", description: "kind 9", hex: "0201 0a04 0801 1009" },
    {
      name: "id-wrong-wire-type",
      description: "calls[0].id as a length-delimited field",
      hex: "0201 0a05 0a01 01 1003",
    },
    {
      name: "nan-argument",
      description: "an argument that is a double NaN",
      hex: "0201 0a11 0801 1002 1a0b 0a09 11 000000000000f87f",
    },
    {
      name: "oversize-batch",
      description: "1025 calls, one more than §12.2 allows",
      hex: hex(
        "0201",
        ...Array.from(
          { length: 1025 },
          (_, i) => `0a${i + 1 < 128 ? "04" : i + 1 < 16384 ? "05" : "06"}08${varint(i + 1)}1003`,
        ),
      ),
    },
    {
      name: "json-form-bad-kind",
      description: "the JSON form with a kind name that does not exist",
      hex: hex("0281", Buffer.from('{"calls":[{"id":1,"kind":"RESET"}]}')),
    },
  ],
  "func-reply-batch": [
    {
      name: "duplicate-reply-ids",
      description: "two replies to call 3",
      hex: "0202 0a02 0803 0a02 0803",
    },
    {
      name: "error-and-replies",
      description: "a batch error together with a reply",
      hex: "0202 0a02 0801 1207 0a03 412e42 1003",
    },
    {
      name: "error-without-class",
      description: "an error whose class is missing",
      hex: "0202 120a 0a08 504f525441424c45",
    },
    { name: "empty", description: "no replies and no error", hex: "0202" },
  ],
  "source-rows": [
    { name: "empty", description: "no rows and no error", hex: "0203" },
    {
      name: "row-message-not-a-struct",
      description: "rows[0].message as a varint",
      hex: "0203 0a02 0801",
    },
    {
      name: "too-many-rows",
      description: "4097 rows, one more than §12.2 allows",
      hex: hex("0203", "0a00".repeat(4097)),
    },
  ],
  "sink-rows": [
    { name: "seq-missing", description: "a message without its sequence number", hex: "0204 1200" },
    {
      name: "rows-and-raw",
      description: "rows and raw in one message",
      hex: "0204 0801 1200 1a01 78",
    },
    { name: "neither-rows-nor-raw", description: "only a sequence number", hex: "0204 0801" },
  ],
  "sink-ack-seq": [
    { name: "seq-missing", description: "an ack without a sequence number", hex: "0205" },
    {
      name: "class-unspecified",
      description: "an error with class 0",
      hex: "0205 0801 1209 0a05 414243444510 00",
    },
    { name: "truncated-varint", description: "seq's varint never ends", hex: "0205 08ff" },
  ],
  "state-request": [
    {
      name: "key-missing",
      description: "a get without a key",
      hex: "0206 0801 1001 1a0173 220172 2a016f",
    },
    {
      name: "op-unspecified",
      description: "op 0",
      hex: "0206 0801 1000 1a0173 220172 2a016f 3a016b",
    },
    {
      name: "value-in-get",
      description: "a get that carries a value",
      hex: "0206 0801 1001 1a0173 220172 2a016f 3a016b 420178",
    },
    {
      name: "negative-instance",
      description: "instanceId -1",
      hex: "0206 0801 1001 1a0173 220172 2a016f 30ffffffffffffffffff01 3a016b",
    },
    {
      name: "reply-kind",
      description: "a StateReplyV2 body where a request is expected",
      hex: "0207 0801",
    },
  ],
  "state-reply": [
    {
      name: "truncated",
      description: "a value whose length runs past the end",
      hex: "0207 0801 1001 1a05 3432",
    },
    {
      name: "error-with-value",
      description: "a failed request that also carries a value",
      hex: "0207 0801 1001 1a0178 2216 0a10 504f525441424c455f455f5354415445 1001",
    },
    {
      name: "value-not-found",
      description: "a value with found false",
      hex: "0207 0801 1a0178",
    },
  ],
};

function varint(n: number): string {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out).toString("hex");
}

for (const dir of ["spec", "malformed"]) mkdirSync(join(root, dir), { recursive: true });
for (const [kind, cases] of Object.entries(good) as [V2WireKind, Spec[]][]) {
  const codec = v2WireKinds[kind];
  const out = cases.map((c) => {
    const bytes = codec.encode(c.value, c.json ? "json" : "protobuf");
    return {
      name: c.name,
      description: c.description,
      hex: bytes.toString("hex"),
      value: codec.decode(bytes),
      reencode: true,
      ...(c.json ? { encoding: "json" } : {}),
    };
  });
  const file = { kind, producer: "spec", provenance: "reproduced", how: HOW, cases: out };
  writeFileSync(join(root, "spec", `${kind}.json`), `${JSON.stringify(file, null, 2)}\n`);
}
for (const [kind, cases] of Object.entries(bad) as [V2WireKind, Bad[]][]) {
  const out = cases.map((c) => {
    const h = c.hex.replace(/ /g, "");
    try {
      v2WireKinds[kind].decode(Buffer.from(h, "hex"));
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      return {
        name: c.name,
        description: c.description,
        hex: h,
        error: { code: e.code, field: e.field },
      };
    }
    throw new Error(`${kind}/${c.name}: decodes, but is meant to be malformed`);
  });
  const file = { kind, producer: "malformed", provenance: "reproduced", how: HOW, cases: out };
  writeFileSync(join(root, "malformed", `${kind}.json`), `${JSON.stringify(file, null, 2)}\n`);
}
console.log("vectors:v2: wrote vectors/v2/spec and vectors/v2/malformed");
