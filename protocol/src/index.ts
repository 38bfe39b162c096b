// @portable-plugins/protocol: the wire messages of the portable-plugin
// protocol. Types and codecs are generated from schemas/*.proto; the helpers
// below cover the kinds whose wire form is a literal or a union.

export {
  controlChannelUrl,
  DEFAULT_SOCKET_DIR,
  functionChannelUrl,
  ipcPath,
  MAX_IPC_PATH_BYTES,
  sinkAckChannelUrl,
  sinkChannelUrl,
  sourceChannelUrl,
} from "./channels.js";
export type { FieldDescriptor, FieldKind, MessageDescriptor } from "./codec/descriptor.js";
export { compareCodePoints, goJson, goString } from "./codec/go-json.js";
export { type MessageCodec, parseJson } from "./codec/schema-codec.js";
export type { Decoded, DecodeWarning, QuirkCode } from "./codec/warnings.js";
export {
  ERROR_CODES,
  ERROR_LAYERS,
  type ErrorCode,
  type ErrorCodeInfo,
  type ErrorLayer,
  errorCodesOf,
  isErrorCode,
  unknownErrorCodes,
} from "./error-codes.js";
export { PROTOCOL_ERROR_CODES, ProtocolError, type ProtocolErrorCode } from "./errors.js";
export {
  Command,
  CommandDescriptor,
  Control,
  ControlDescriptor,
  FuncCall,
  FuncCallDescriptor,
  FuncMeta,
  FuncMetaDescriptor,
  FuncReply,
  FuncReplyDescriptor,
  Meta,
  MetaDescriptor,
  PluginManifest,
  PluginManifestDescriptor,
  PluginStatus,
  PluginStatusDescriptor,
  PortableConfig,
  PortableConfigDescriptor,
  PROTOCOL_VERSION,
  SinkAck,
  SinkAckDescriptor,
  SourceEnvelope,
  SourceEnvelopeDescriptor,
  SourceError,
  SourceErrorDescriptor,
} from "./gen/portable.js";
export { isJsonObject, type JsonObject, type JsonPrimitive, type JsonValue } from "./json.js";
export { isWireKind, type WireCodec, type WireKind, wireKinds } from "./kinds.js";
export { dataSourceOf, instanceKey } from "./messages/control.js";
export {
  ANSWER_OK,
  type Answer,
  decodeAnswer,
  encodeAnswer,
  encodeHandshake,
  HANDSHAKE,
  isHandshake,
  startsLikeHandshake,
} from "./messages/control-channel.js";
export {
  decodeFunctionCall,
  decodeFunctionCallWithWarnings,
  encodeFunctionCall,
  type FunctionCall,
} from "./messages/function-call.js";
export {
  type AckResult,
  decodeSinkAck,
  decodeSinkAckWithWarnings,
  decodeSinkData,
  encodeSinkAck,
  encodeSinkData,
} from "./messages/sink.js";
export {
  decodeSourceItem,
  decodeSourceItemWithWarnings,
  encodeSourceData,
  encodeSourceError,
  type SourceItem,
} from "./messages/source-envelope.js";
