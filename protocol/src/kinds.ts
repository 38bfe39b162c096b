// Every message kind by its name in vectors/ and PROTOCOL.md §4, with one
// decode and one encode each: the entry point for generic tools (the vector
// tests, the conformance suite's transcripts).

import type { Decoded } from "./codec/warnings.js";
import {
  Answer,
  Command,
  Control,
  FuncMeta,
  FuncReply,
  Handshake,
  PluginManifest,
  PluginStatus,
  PortableConfig,
  SinkData,
} from "./gen/portable.js";
import {
  decodeFunctionCallWithWarnings,
  encodeFunctionCall,
  type FunctionCall,
} from "./messages/function-call.js";
import { type AckResult, decodeSinkAckWithWarnings, encodeSinkAck } from "./messages/sink.js";
import {
  decodeSourceItemWithWarnings,
  encodeSourceData,
  encodeSourceError,
  type SourceItem,
} from "./messages/source-envelope.js";

export type WireKind =
  | "portable-config"
  | "handshake"
  | "answer"
  | "command"
  | "control"
  | "func-call"
  | "func-meta"
  | "func-reply"
  | "source-envelope"
  | "sink-data"
  | "sink-ack"
  | "manifest"
  | "plugin-status";

export interface WireCodec {
  decode(bytes: Uint8Array): Decoded<unknown>;
  encode(value: unknown): Buffer;
}

function generated<T>(codec: {
  decodeWithWarnings(b: Uint8Array): Decoded<T>;
  encode(v: T): Buffer;
}): WireCodec {
  return { decode: (b) => codec.decodeWithWarnings(b), encode: (v) => codec.encode(v as T) };
}

export const wireKinds: Readonly<Record<WireKind, WireCodec>> = {
  "portable-config": generated(PortableConfig),
  handshake: generated(Handshake),
  answer: generated(Answer),
  command: generated(Command),
  control: generated(Control),
  "func-call": {
    decode: decodeFunctionCallWithWarnings,
    encode: (v) => encodeFunctionCall(v as FunctionCall),
  },
  "func-meta": generated(FuncMeta),
  "func-reply": generated(FuncReply),
  "source-envelope": {
    decode: decodeSourceItemWithWarnings,
    encode: (v) => {
      const item = v as SourceItem;
      return item.type === "data"
        ? encodeSourceData(item.message, item.meta)
        : encodeSourceError(item.error);
    },
  },
  "sink-data": generated(SinkData),
  "sink-ack": { decode: decodeSinkAckWithWarnings, encode: (v) => encodeSinkAck(v as AckResult) },
  manifest: generated(PluginManifest),
  "plugin-status": generated(PluginStatus),
};

export function isWireKind(k: string): k is WireKind {
  return Object.hasOwn(wireKinds, k);
}
