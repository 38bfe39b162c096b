// Version-2 function channel (PROTOCOL.md §12.3): a batch of calls as the
// host's REP reply, a batch of replies as the plugin's next request, matched
// by call id. These wrappers add the checks the schema cannot express:
// limits, unique ids, and a reply batch that answers exactly its calls.

import type { V2Encoding } from "../codec/v2-codec.js";
import { ProtocolError } from "../errors.js";
import {
  CallBatchV2,
  type CallV2,
  type ErrorV2,
  ReplyBatchV2,
  type ReplyV2,
} from "../gen/portable-v2.js";
import {
  readCallsDirect,
  readRepliesDirect,
  writeCallsDirect,
  writeRepliesDirect,
} from "./v2-function-direct.js";
import { checkLimits, checkUniqueIds, V2_LIMITS } from "./v2-limits.js";

export function encodeCallBatch(calls: readonly CallV2[], encoding?: V2Encoding): Buffer {
  checkUniqueIds(
    "PORTABLE_E_ENCODE",
    "CallBatchV2",
    "calls",
    calls.map((c) => c.id),
  );
  // Hot path: the protobuf form written directly (v2-function-direct.ts).
  const body =
    (encoding === undefined || encoding === "protobuf" ? writeCallsDirect(calls) : undefined) ??
    CallBatchV2.encode({ calls: [...calls] }, encoding);
  checkLimits("CallBatchV2", "calls", calls.length, V2_LIMITS.maxCallsPerBatch, body.length);
  return body;
}

export function decodeCallBatch(body: Uint8Array): CallV2[] {
  // Hot path: a plain protobuf batch read directly (v2-function-direct.ts).
  const calls = readCallsDirect(body) ?? CallBatchV2.decode(body).calls;
  checkLimits("CallBatchV2", "calls", calls.length, V2_LIMITS.maxCallsPerBatch, body.length);
  if (calls.length === 0)
    throw new ProtocolError("PORTABLE_E_DECODE", "CallBatchV2", "calls", "a batch has no calls");
  checkUniqueIds(
    "PORTABLE_E_DECODE",
    "CallBatchV2",
    "calls",
    calls.map((c) => c.id),
  );
  return calls;
}

/** One reply per call, or (the batch as a whole failed) no replies and `error`. */
export interface ReplyBatch {
  readonly replies: readonly ReplyV2[];
  readonly error?: ErrorV2;
}

export function encodeReplyBatch(batch: ReplyBatch, encoding?: V2Encoding): Buffer {
  const replies = [...batch.replies];
  if (batch.error && replies.length > 0)
    throw new ProtocolError(
      "PORTABLE_E_ENCODE",
      "ReplyBatchV2",
      "error",
      "a batch error comes without replies",
    );
  checkUniqueIds(
    "PORTABLE_E_ENCODE",
    "ReplyBatchV2",
    "replies",
    replies.map((r) => r.id),
  );
  const body =
    (batch.error === undefined && (encoding === undefined || encoding === "protobuf")
      ? writeRepliesDirect(replies)
      : undefined) ??
    ReplyBatchV2.encode(batch.error ? { replies, error: batch.error } : { replies }, encoding);
  checkLimits("ReplyBatchV2", "replies", replies.length, V2_LIMITS.maxCallsPerBatch, body.length);
  return body;
}

export function decodeReplyBatch(body: Uint8Array): ReplyBatch {
  const direct = readRepliesDirect(body);
  const batch: ReplyBatchV2 =
    direct !== undefined && direct.length > 0 ? { replies: direct } : ReplyBatchV2.decode(body);
  checkLimits(
    "ReplyBatchV2",
    "replies",
    batch.replies.length,
    V2_LIMITS.maxCallsPerBatch,
    body.length,
  );
  checkUniqueIds(
    "PORTABLE_E_DECODE",
    "ReplyBatchV2",
    "replies",
    batch.replies.map((r) => r.id),
  );
  if (batch.error) {
    if (batch.replies.length > 0)
      throw new ProtocolError(
        "PORTABLE_E_DECODE",
        "ReplyBatchV2",
        "error",
        "a batch error comes without replies",
      );
    return { replies: [], error: batch.error };
  }
  if (batch.replies.length === 0)
    throw new ProtocolError(
      "PORTABLE_E_DECODE",
      "ReplyBatchV2",
      "replies",
      "no replies and no error",
    );
  return { replies: batch.replies };
}

/**
 * The reply of each call id the host sent, in the order of `callIds`; a batch
 * error becomes every call's error. Throws PORTABLE_E_MISMATCH when the batch
 * misses an id or names one that was not sent (§12.3): the host then fails
 * the whole batch, as it does for a late reply to an earlier batch.
 */
export function matchReplies(callIds: readonly number[], batch: ReplyBatch): ReplyV2[] {
  const failed = batch.error;
  if (failed) return callIds.map((id) => ({ id, result: null, error: failed }));
  const byId = new Map(batch.replies.map((r) => [r.id, r]));
  const sent = new Set(callIds);
  const unknown = batch.replies.find((r) => !sent.has(r.id));
  if (unknown)
    throw new ProtocolError(
      "PORTABLE_E_MISMATCH",
      "ReplyBatchV2",
      "replies",
      `reply to call ${unknown.id}, which this batch did not send`,
    );
  return callIds.map((id) => {
    const reply = byId.get(id);
    if (!reply)
      throw new ProtocolError(
        "PORTABLE_E_MISMATCH",
        "ReplyBatchV2",
        "replies",
        `no reply to call ${id}`,
      );
    return reply;
  });
}
