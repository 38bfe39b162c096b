// Public entry of @portable-plugins/nng: the socket classes, their options and events, and the
// error type. Framing and header helpers are exported for tests and tools that speak raw SP.

export type { NngErrorCode, NngErrorContext } from "./errors.js";
export { NNG_ERROR_CODES, NngError } from "./errors.js";
export type { Transport } from "./framing.js";
export { encodeFrame, FrameDecoder, HARD_MAX_MESSAGE } from "./framing.js";
export type { ProtocolName, SocketProtocol } from "./header.js";
export { encodeHeader, PROTOCOL_IDS } from "./header.js";
export type { Listener, ListenOptions } from "./listener.js";
export type { SocketKind, SocketTypes } from "./open.js";
export { openSocket } from "./open.js";
export type { OptionName, SocketOptions } from "./options.js";
export { DEFAULT_OPTIONS } from "./options.js";
export { PairSocket } from "./pair.js";
export type { PipeInfo } from "./pipe.js";
export type { RefusedConnection } from "./pipe-host.js";
export { PullSocket } from "./pull.js";
export { PushSocket } from "./push.js";
export { PIPE_QUEUE_BYTES, PIPE_QUEUE_MESSAGES } from "./recv-queue.js";
export { RepSocket } from "./rep.js";
export { ReqSocket } from "./req.js";
export type { DialOptions, PipeEvent, PipeEventListener } from "./socket.js";
export { Socket } from "./socket.js";
