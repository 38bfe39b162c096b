// Every version-2 message kind by its name in vectors/v2/ and PROTOCOL.md
// §12.1, with a decode and an encode that go through the checking wrappers.
// Values are in the JSON form (§12.2: bytes as base64), so tools and vector
// files can hold them as plain JSON.

import type { V2Encoding } from "./codec/v2-codec.js";
import type { Handshake as HandshakeMessage } from "./gen/portable.js";
import { Handshake } from "./gen/portable.js";
import {
  CallBatchV2,
  ReplyBatchV2,
  SinkAckV2,
  SinkRowsV2,
  SourceRowsV2,
  StateReplyV2,
  StateRequestV2,
} from "./gen/portable-v2.js";
import type { JsonValue } from "./json.js";
import {
  decodeSinkAckV2,
  decodeSinkRows,
  decodeSourceRows,
  encodeSinkAckV2,
  encodeSinkRows,
  encodeSourceRows,
} from "./messages/v2-data.js";
import {
  decodeCallBatch,
  decodeReplyBatch,
  encodeCallBatch,
  encodeReplyBatch,
  type ReplyBatch,
} from "./messages/v2-function.js";
import {
  decodeStateReply,
  decodeStateRequest,
  encodeStateReply,
  encodeStateRequest,
} from "./messages/v2-state.js";

export type V2WireKind =
  | "handshake"
  | "func-call-batch"
  | "func-reply-batch"
  | "source-rows"
  | "sink-rows"
  | "sink-ack-seq"
  | "state-request"
  | "state-reply";

export interface V2WireCodec {
  /** The message in its JSON form; throws ProtocolError. */
  decode(bytes: Uint8Array): JsonValue;
  encode(value: JsonValue, encoding?: V2Encoding): Buffer;
}

export const v2WireKinds: Readonly<Record<V2WireKind, V2WireCodec>> = {
  handshake: {
    decode: (b) => ({ ...Handshake.decode(b) }),
    encode: (v) => Handshake.encode(v as unknown as HandshakeMessage),
  },
  "func-call-batch": {
    decode: (b) => CallBatchV2.toJson({ calls: decodeCallBatch(b) }),
    encode: (v, e) => encodeCallBatch(CallBatchV2.fromJson(v).calls, e),
  },
  "func-reply-batch": {
    decode: (b) => ReplyBatchV2.toJson(replyBatchV2(decodeReplyBatch(b))),
    encode: (v, e) => encodeReplyBatch(ReplyBatchV2.fromJson(v), e),
  },
  "source-rows": {
    decode: (b) => SourceRowsV2.toJson(decodeSourceRows(b)),
    encode: (v, e) => {
      const m = SourceRowsV2.fromJson(v);
      return encodeSourceRows(m.rows, m.error, e);
    },
  },
  "sink-rows": {
    decode: (b) => SinkRowsV2.toJson(decodeSinkRows(b)),
    encode: (v, e) => encodeSinkRows(SinkRowsV2.fromJson(v), e),
  },
  "sink-ack-seq": {
    decode: (b) => SinkAckV2.toJson(decodeSinkAckV2(b)),
    encode: (v, e) => encodeSinkAckV2(SinkAckV2.fromJson(v), e),
  },
  "state-request": {
    decode: (b) => StateRequestV2.toJson(decodeStateRequest(b)),
    encode: (v, e) => encodeStateRequest(StateRequestV2.fromJson(v), e),
  },
  "state-reply": {
    decode: (b) => StateReplyV2.toJson(decodeStateReply(b)),
    encode: (v, e) => encodeStateReply(StateReplyV2.fromJson(v), e),
  },
};

function replyBatchV2(b: ReplyBatch): ReplyBatchV2 {
  return b.error ? { replies: [...b.replies], error: b.error } : { replies: [...b.replies] };
}

export function isV2WireKind(k: string): k is V2WireKind {
  return Object.hasOwn(v2WireKinds, k);
}
