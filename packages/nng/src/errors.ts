// The one error type this package throws or reports. Callers switch on `code`, never on message
// text; `url` and `socket` say where it happened so a host can log it without extra context.

/** Every code an {@link NngError} can carry. Closed: adding one is a breaking change. */
export type NngErrorCode =
  /** A send or receive deadline (sendTimeout / recvTimeout / connected(timeout)) expired. */
  | "PORTABLE_E_TIMEOUT"
  /** The socket (or listener) is closed, or was closed while the operation waited. */
  | "PORTABLE_E_CLOSED"
  /** The operation is not valid now: REQ recv with no request, REP send with no request, PUSH recv. */
  | "PORTABLE_E_PROTO_STATE"
  /** The peer speaks an incompatible protocol (e.g. REQ dialing a PULL). */
  | "PORTABLE_E_PEER_PROTOCOL"
  /** A frame is longer than recvMaxSize or the hard cap. */
  | "PORTABLE_E_MSG_TOO_LARGE"
  /** Something is already listening at the address (or ipc path). */
  | "PORTABLE_E_ADDR_IN_USE"
  /** A dial failed: refused, unreachable, no ipc file, handshake never completed. */
  | "PORTABLE_E_CONNECT"
  /** The URL is malformed, uses an unknown scheme, or names an address we cannot bind. */
  | "PORTABLE_E_BAD_URL"
  /** A REQ request was superseded by a newer send before its reply arrived. */
  | "PORTABLE_E_CANCELED"
  /** The peer broke the SP wire format: bad connection header, bad frame type, malformed message. */
  | "PORTABLE_E_PROTOCOL";

export interface NngErrorContext {
  /** The dialed or listened URL involved, when there is one. */
  url?: string;
  /** Protocol name of the socket that reported the error ("req", "rep", ...). */
  socket?: string;
  /** The underlying error (an OS error from node:net, usually). */
  cause?: unknown;
}

export class NngError extends Error {
  override readonly name = "NngError";
  readonly code: NngErrorCode;
  readonly url: string | undefined;
  readonly socket: string | undefined;

  constructor(code: NngErrorCode, message: string, context: NngErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.url = context.url;
    this.socket = context.socket;
  }

  /** True when `err` is an NngError, and (if given) carries `code`. */
  static is(err: unknown, code?: NngErrorCode): err is NngError {
    return err instanceof NngError && (code === undefined || err.code === code);
  }

  /** This error with `url` / `socket` filled in where missing (decoders do not know either). */
  withContext(url: string | undefined, socket: string | undefined): NngError {
    const u = this.url ?? url;
    const s = this.socket ?? socket;
    if (u === this.url && s === this.socket) return this;
    const copy = new NngError(this.code, this.message, {
      ...(u !== undefined && { url: u }),
      ...(s !== undefined && { socket: s }),
      ...(this.cause !== undefined && { cause: this.cause }),
    });
    if (this.stack !== undefined) copy.stack = this.stack;
    return copy;
  }
}
