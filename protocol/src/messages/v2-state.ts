// The state channel of version 2 (PROTOCOL.md §13): its limits, and the
// checking wrappers of its two messages, adding the rules the schema cannot
// express (a value only in a put; a reply's value only when found, none with
// an error). A host and an SDK both read the limits from here, so a put the
// SDK lets through is one the host accepts by default (a host MAY be
// configured stricter; it answers a typed PORTABLE_E_STATE_QUOTA then).

import type { V2Encoding } from "../codec/v2-codec.js";
import { ProtocolError } from "../errors.js";
import { StateReplyV2, StateRequestV2 } from "../gen/portable-v2.js";

/** PROTOCOL.md §13.5: what one instance's state may hold. */
export const STATE_LIMITS = {
  /** UTF-8 bytes of a key (at least 1). */
  maxKeyBytes: 256,
  /** Bytes of one value. */
  maxValueBytes: 1_048_576,
  /** Keys one symbol instance may hold. */
  maxKeysPerInstance: 1024,
} as const;

type Code = "PORTABLE_E_DECODE" | "PORTABLE_E_ENCODE";

function checkRequest(code: Code, req: StateRequestV2): void {
  const hasValue = req.value !== undefined && req.value.length > 0;
  if (hasValue && req.op !== "PUT")
    throw new ProtocolError(code, "StateRequestV2", "value", `a value in a ${req.op}`);
  if (req.instanceId < 0)
    throw new ProtocolError(code, "StateRequestV2", "instanceId", `${req.instanceId} < 0`);
}

function checkReply(code: Code, reply: StateReplyV2): void {
  const hasValue = reply.value !== undefined && reply.value.length > 0;
  if (reply.error && (reply.found || hasValue))
    throw new ProtocolError(code, "StateReplyV2", "error", "an error with a result");
  if (hasValue && !reply.found)
    throw new ProtocolError(code, "StateReplyV2", "value", "a value that was not found");
}

export function encodeStateRequest(req: StateRequestV2, encoding?: V2Encoding): Buffer {
  checkRequest("PORTABLE_E_ENCODE", req);
  return StateRequestV2.encode(req, encoding);
}

export function decodeStateRequest(body: Uint8Array): StateRequestV2 {
  const req = StateRequestV2.decode(body);
  checkRequest("PORTABLE_E_DECODE", req);
  return req;
}

export function encodeStateReply(reply: StateReplyV2, encoding?: V2Encoding): Buffer {
  checkReply("PORTABLE_E_ENCODE", reply);
  return StateReplyV2.encode(reply, encoding);
}

export function decodeStateReply(body: Uint8Array): StateReplyV2 {
  const reply = StateReplyV2.decode(body);
  checkReply("PORTABLE_E_DECODE", reply);
  return reply;
}
