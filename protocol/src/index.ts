// @portable-plugins/protocol: the wire messages of the portable-plugin
// protocol. Types and codecs are generated from schemas/*.proto; the helpers
// below cover the kinds whose wire form is a literal or a union.

export {
  controlChannelUrl,
  controlSocketPath,
  DEFAULT_SOCKET_DIR,
  fitsIpcPath,
  functionChannelUrl,
  functionSocketPath,
  ipcPath,
  MAX_IPC_PATH_BYTES,
  SUN_PATH_BYTES,
  sinkAckChannelUrl,
  sinkChannelUrl,
  sourceChannelUrl,
  stateChannelUrl,
  stateSocketPath,
} from "./channels.js";
export type {
  FieldDescriptor,
  FieldKind,
  JsonType,
  MessageDescriptor,
} from "./codec/descriptor.js";
export { compareCodePoints, goJson, goString } from "./codec/go-json.js";
export { type MessageCodec, parseJson } from "./codec/schema-codec.js";
export {
  V2_JSON_BIT,
  V2_VERSION_BYTE,
  type V2Codec,
  type V2Encoding,
} from "./codec/v2-codec.js";
export type {
  V2FieldDescriptor,
  V2FieldKind,
  V2MessageDescriptor,
} from "./codec/v2-descriptor.js";
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
  Answer,
  AnswerDescriptor,
  Command,
  type CommandCmd,
  CommandCmdValues,
  CommandDescriptor,
  Control,
  ControlDescriptor,
  type ControlPluginType,
  ControlPluginTypeValues,
  FuncCall,
  FuncCallDescriptor,
  type FuncCallFunc,
  FuncCallFuncValues,
  FuncMeta,
  FuncMetaDescriptor,
  FuncReply,
  FuncReplyDescriptor,
  Handshake,
  HandshakeDescriptor,
  Meta,
  MetaDescriptor,
  PluginManifest,
  PluginManifestDescriptor,
  type PluginManifestLanguage as Language,
  PluginManifestLanguageValues as LANGUAGES,
  PluginStatus,
  PluginStatusDescriptor,
  type PluginStatusStatus,
  PluginStatusStatusValues,
  PortableConfig,
  PortableConfigDescriptor,
  PROTOCOL_VERSION,
  SinkAck,
  SinkAckDescriptor,
  SinkData,
  SinkDataDescriptor,
  SourceEnvelope,
  SourceEnvelopeDescriptor,
  SourceError,
  SourceErrorDescriptor,
  SYMBOL_KIND_SPELLINGS,
  SYMBOL_KINDS,
  type SymbolKind,
} from "./gen/portable.js";
export {
  CallBatchV2,
  CallBatchV2Descriptor,
  type CallKind,
  CallKindNumbers,
  CallKindValues,
  CallV2,
  CallV2Descriptor,
  type ErrorClass,
  ErrorClassNumbers,
  ErrorClassValues,
  ErrorV2,
  ErrorV2Descriptor,
  FuncContextV2,
  FuncContextV2Descriptor,
  PROTOCOL_VERSION_2,
  ReplyBatchV2,
  ReplyBatchV2Descriptor,
  ReplyV2,
  ReplyV2Descriptor,
  SinkAckV2,
  SinkAckV2Descriptor,
  SinkRowsV2,
  SinkRowsV2Descriptor,
  SourceRowsV2,
  SourceRowsV2Descriptor,
  SourceRowV2,
  SourceRowV2Descriptor,
  type StateOp,
  StateOpNumbers,
  StateOpValues,
  StateReplyV2,
  StateReplyV2Descriptor,
  StateRequestV2,
  StateRequestV2Descriptor,
  V2_KINDS,
} from "./gen/portable-v2.js";
export { isJsonObject, type JsonObject, type JsonPrimitive, type JsonValue } from "./json.js";
export { isWireKind, type WireCodec, type WireKind, wireKinds } from "./kinds.js";
export { isV2WireKind, type V2WireCodec, type V2WireKind, v2WireKinds } from "./kinds-v2.js";
export { dataSourceOf, instanceKey } from "./messages/control.js";
export {
  ANSWER_OK,
  type AnswerResult,
  decodeAnswer,
  encodeAnswer,
  encodeHandshake,
  formatHandshake,
  HANDSHAKE,
  isHandshake,
  parseHandshake,
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
export {
  decodeSinkAckV2,
  decodeSinkRows,
  decodeSourceRows,
  encodeSinkAckV2,
  encodeSinkRows,
  encodeSourceRow,
  encodeSourceRows,
  settleAck,
  sourceRowsBody,
} from "./messages/v2-data.js";
export {
  decodeCallBatch,
  decodeReplyBatch,
  encodeCallBatch,
  encodeReplyBatch,
  matchReplies,
  type ReplyBatch,
} from "./messages/v2-function.js";
export { errorV2, V2_LIMITS, type V2KindName, v2KindOf } from "./messages/v2-limits.js";
export { SourceRowsBuilder } from "./messages/v2-source-rows.js";
export {
  decodeStateReply,
  decodeStateRequest,
  encodeStateReply,
  encodeStateRequest,
  STATE_LIMITS,
} from "./messages/v2-state.js";
export {
  checkLaterHandshake,
  chooseVersion,
  isValidVersionOffer,
  learnVersion,
  PROTOCOL_VERSIONS_KEY,
  portableConfigArgument,
  readVersionOffer,
  SUPPORTED_PROTOCOL_VERSIONS,
  type VersionChoice,
  type VersionLearned,
} from "./negotiation.js";
export {
  kindOfPluginType,
  kindOfSymbolList,
  pluginTypeOf,
  type SymbolList,
  symbolListOf,
  symbolsOf,
} from "./symbol-kinds.js";
