// The hot path of the version-2 function channel (PROTOCOL.md §12.3): the
// calls of a protobuf CallBatchV2 and the replies of a ReplyBatchV2 read and
// written without the descriptor walk of v2-codec.ts, as readRowsDirect and
// SourceRowsBuilder do for source rows. The writers produce the general
// encoder's bytes; a context repeated by consecutive calls is encoded once; on
// anything unusual (a reply error, a value with no protobuf form) they return
// undefined and the general encoder writes the body or throws its typed error. Anything these readers do not expect (the JSON form, unknown
// or repeated-unusual fields, a batch error, a reply error, a missing
// required field, bad bytes) makes them return undefined, and the general
// decoder reads or refuses the body with its typed error. The values they
// return have the shape the general decoder returns (optional fields absent).
// Field numbers come from the generated descriptors.

import { readList, readValue } from "../codec/pb-struct.js";
import { writeShapeField } from "../codec/pb-struct-direct.js";
import { PbReader, PbWriter, WIRE_LEN, WIRE_VARINT } from "../codec/pb-wire.js";
import { V2_VERSION_BYTE } from "../codec/v2-codec.js";
import type { V2MessageDescriptor } from "../codec/v2-descriptor.js";
import {
  CallBatchV2Descriptor,
  type CallKind,
  CallKindNumbers,
  type CallV2,
  CallV2Descriptor,
  FuncContextV2,
  FuncContextV2Descriptor,
  ReplyBatchV2Descriptor,
  type ReplyV2,
  ReplyV2Descriptor,
  V2_KINDS,
} from "../gen/portable-v2.js";
import type { JsonValue } from "../json.js";

/** The tag byte of field `name` of `d` (every field read here has a one-byte tag). */
function tagOf(d: V2MessageDescriptor, name: string): number {
  const f = d.fields.find((x) => x.name === name);
  if (!f) throw new Error(`${d.name} has no field ${name}`);
  const wire =
    f.kind === "uint32" || f.kind === "uint64" || f.kind === "int64" || f.kind === "enum"
      ? WIRE_VARINT
      : WIRE_LEN;
  const tag = f.no * 8 + wire;
  if (tag > 0x7f) throw new Error(`${d.name}.${name}: tag takes more than one byte`);
  return tag;
}

const T_CALLS = tagOf(CallBatchV2Descriptor, "calls");
const T_CALL_ID = tagOf(CallV2Descriptor, "id");
const T_CALL_KIND = tagOf(CallV2Descriptor, "kind");
const T_CALL_ARGS = tagOf(CallV2Descriptor, "args");
const T_CALL_CONTEXT = tagOf(CallV2Descriptor, "context");
const T_RULE = tagOf(FuncContextV2Descriptor, "ruleId");
const T_OP = tagOf(FuncContextV2Descriptor, "opId");
const T_INSTANCE = tagOf(FuncContextV2Descriptor, "instanceId");
const T_FUNC = tagOf(FuncContextV2Descriptor, "funcId");
const T_REPLIES = tagOf(ReplyBatchV2Descriptor, "replies");
const T_REPLY_ID = tagOf(ReplyV2Descriptor, "id");
const T_REPLY_RESULT = tagOf(ReplyV2Descriptor, "result");

const KIND_BY_NUMBER: readonly (CallKind | undefined)[] = (() => {
  const out: (CallKind | undefined)[] = [];
  for (const [name, n] of Object.entries(CallKindNumbers)) out[n] = name as CallKind;
  return out;
})();

/** Thrown inside the readers: the body takes the general decoder. */
const GENERAL = Symbol("general");

function uint32(r: PbReader): number {
  const n = r.varint();
  if (n < 0 || n > 0xffffffff) throw GENERAL;
  return n;
}

function readContext(r: PbReader, end: number): FuncContextV2 {
  let ruleId = "";
  let opId = "";
  let instanceId = 0;
  let funcId = 0;
  const buf = r.buf;
  while (r.pos < end) {
    const t = buf[r.pos++];
    if (t === T_RULE) ruleId = r.string(r.len(end));
    else if (t === T_OP) opId = r.string(r.len(end));
    else if (t === T_INSTANCE) instanceId = r.varint();
    else if (t === T_FUNC) funcId = r.varint();
    else throw GENERAL;
  }
  if (r.pos !== end) throw GENERAL;
  return { ruleId, opId, instanceId, funcId };
}

function readCall(r: PbReader, end: number): CallV2 {
  let id = 0;
  let kind: CallKind | undefined;
  let args: JsonValue[] = [];
  let context: FuncContextV2 | undefined;
  const buf = r.buf;
  while (r.pos < end) {
    const t = buf[r.pos++];
    if (t === T_CALL_ID) id = uint32(r);
    else if (t === T_CALL_KIND) kind = KIND_BY_NUMBER[r.varint()];
    else if (t === T_CALL_ARGS) {
      const e = r.len(end);
      args = readList(r, e, "", 1);
      if (r.pos !== e) throw GENERAL;
    } else if (t === T_CALL_CONTEXT) context = readContext(r, r.len(end));
    else throw GENERAL;
  }
  if (r.pos !== end || id === 0 || kind === undefined) throw GENERAL;
  return context === undefined ? { id, kind, args } : { id, kind, args, context };
}

function readReply(r: PbReader, end: number): ReplyV2 {
  let id = 0;
  let result: JsonValue = null;
  const buf = r.buf;
  while (r.pos < end) {
    const t = buf[r.pos++];
    if (t === T_REPLY_ID) id = uint32(r);
    else if (t === T_REPLY_RESULT) {
      const e = r.len(end);
      result = readValue(r, e, "", "result", 1);
      if (r.pos !== e) throw GENERAL;
    } else throw GENERAL;
  }
  if (r.pos !== end || id === 0) throw GENERAL;
  return { id, result };
}

/** The items of a kind body whose only field is the repeated message `tag`. */
function readItems<T>(
  body: Uint8Array,
  v2Kind: number,
  kind: string,
  tag: number,
  item: (r: PbReader, end: number) => T,
): T[] | undefined {
  if (!Buffer.isBuffer(body) || body.length < 3) return undefined;
  if (body[0] !== V2_VERSION_BYTE || body[1] !== v2Kind) return undefined;
  const r = new PbReader(body, kind, 2);
  const end = body.length;
  const out: T[] = [];
  try {
    while (r.pos < end) {
      if (body[r.pos] !== tag) return undefined;
      r.pos++;
      out.push(item(r, r.len(end)));
    }
  } catch {
    return undefined;
  }
  return out;
}

/** The calls of a protobuf CallBatchV2 body, or undefined: the general decoder takes it. */
export function readCallsDirect(body: Uint8Array): CallV2[] | undefined {
  return readItems(body, V2_KINDS.CallBatchV2, "CallBatchV2", T_CALLS, readCall);
}

/** The replies of a protobuf ReplyBatchV2 body of replies without errors, or undefined. */
export function readRepliesDirect(body: Uint8Array): ReplyV2[] | undefined {
  return readItems(body, V2_KINDS.ReplyBatchV2, "ReplyBatchV2", T_REPLIES, readReply);
}

const validId = (id: unknown): id is number =>
  typeof id === "number" && Number.isInteger(id) && id >= 1 && id <= 0xffffffff;

/** Whether two contexts have the same bytes (the fields FuncContextV2 writes). */
const sameContext = (a: FuncContextV2, b: FuncContextV2): boolean =>
  a === b ||
  (a.ruleId === b.ruleId &&
    a.opId === b.opId &&
    a.instanceId === b.instanceId &&
    a.funcId === b.funcId);

/** Where the last body ended: the next writer starts at that size. */
let sizeHint = 256;

function header(v2Kind: number): PbWriter {
  const w = new PbWriter(sizeHint);
  w.byte(V2_VERSION_BYTE);
  w.byte(v2Kind);
  return w;
}

function done(w: PbWriter): Buffer {
  sizeHint = Math.min(Math.max(256, w.pos), 1 << 20);
  return w.finish();
}

/** The protobuf CallBatchV2 body of `calls`, or undefined: the general encoder takes it. */
export function writeCallsDirect(calls: readonly CallV2[]): Buffer | undefined {
  try {
    const w = header(V2_KINDS.CallBatchV2);
    let lastContext: FuncContextV2 | undefined;
    let contextBytes: Uint8Array | undefined;
    for (const call of calls) {
      // Own numbers only ("toString" is no kind): anything else is the general encoder's error.
      const kind = Object.hasOwn(CallKindNumbers, call.kind)
        ? CallKindNumbers[call.kind]
        : undefined;
      if (!validId(call.id) || typeof kind !== "number") return undefined;
      const s = w.lenField(T_CALLS >> 3);
      w.byte(T_CALL_ID);
      w.varint(call.id);
      w.byte(T_CALL_KIND);
      w.varint(kind);
      const args = call.args;
      if (args !== undefined && args !== null && args.length > 0)
        writeShapeField(w, T_CALL_ARGS >> 3, "list", args, "CallV2", "", "args", "args");
      const context = call.context;
      if (context !== undefined && context !== null) {
        if (lastContext === undefined || !sameContext(context, lastContext)) {
          contextBytes = FuncContextV2.encode(context);
          lastContext = context;
        }
        w.byte(T_CALL_CONTEXT);
        w.bytes(contextBytes as Uint8Array);
      }
      w.end(s);
    }
    return done(w);
  } catch {
    return undefined;
  }
}

/** The protobuf ReplyBatchV2 body of `replies` (none with an error), or undefined. */
export function writeRepliesDirect(replies: readonly ReplyV2[]): Buffer | undefined {
  try {
    const w = header(V2_KINDS.ReplyBatchV2);
    for (const reply of replies) {
      if (!validId(reply.id) || reply.error !== undefined) return undefined;
      const s = w.lenField(T_REPLIES >> 3);
      w.byte(T_REPLY_ID);
      w.varint(reply.id);
      const result = reply.result;
      if (result !== undefined && result !== null)
        writeShapeField(w, T_REPLY_RESULT >> 3, "value", result, "ReplyV2", "", "result", "result");
      w.end(s);
    }
    return done(w);
  } catch {
    return undefined;
  }
}
