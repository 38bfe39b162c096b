// Every message kind by its name in vectors/ and PROTOCOL.md §4, with one
// decode and one encode each: the entry point for generic tools (the vector
// tests, the conformance suite's transcripts).

import type { Decoded, DecodeWarning } from "./codec/warnings.js";
import { ProtocolError } from "./errors.js";
import {
  Command,
  Control,
  FuncMeta,
  FuncReply,
  PluginManifest,
  PluginStatus,
  PortableConfig,
} from "./gen/portable.js";
import type { JsonValue } from "./json.js";
import {
  type Answer,
  decodeAnswer,
  encodeAnswer,
  encodeHandshake,
  isHandshake,
} from "./messages/control-channel.js";
import {
  decodeFunctionCallWithWarnings,
  encodeFunctionCall,
  type FunctionCall,
} from "./messages/function-call.js";
import {
  type AckResult,
  decodeSinkAckWithWarnings,
  decodeSinkData,
  encodeSinkAck,
  encodeSinkData,
} from "./messages/sink.js";
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

const plain = (value: unknown): Decoded<unknown> => ({ value, warnings: [] as DecodeWarning[] });

function generated<T>(codec: {
  decodeWithWarnings(b: Uint8Array): Decoded<T>;
  encode(v: T): Buffer;
}): WireCodec {
  return { decode: (b) => codec.decodeWithWarnings(b), encode: (v) => codec.encode(v as T) };
}

export const wireKinds: Readonly<Record<WireKind, WireCodec>> = {
  "portable-config": generated(PortableConfig),
  handshake: {
    decode: (b) => {
      if (!isHandshake(b))
        throw new ProtocolError(
          "PORTABLE_E_DECODE",
          "Handshake",
          "",
          "expected exactly `handshake`",
        );
      return plain({ handshake: true });
    },
    encode: () => encodeHandshake(),
  },
  answer: { decode: (b) => plain(decodeAnswer(b)), encode: (v) => encodeAnswer(v as Answer) },
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
  "sink-data": {
    decode: (b) => plain(decodeSinkData(b)),
    encode: (v) => encodeSinkData(v as JsonValue),
  },
  "sink-ack": { decode: decodeSinkAckWithWarnings, encode: (v) => encodeSinkAck(v as AckResult) },
  manifest: generated(PluginManifest),
  "plugin-status": generated(PluginStatus),
};

export function isWireKind(k: string): k is WireKind {
  return Object.hasOwn(wireKinds, k);
}
