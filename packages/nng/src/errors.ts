// The one error type this package throws or reports. Callers switch on `code`, never on message
// text; `url` and `socket` say where it happened so a host can log it without extra context.
import type { ErrorCode } from "@portable-plugins/protocol";

/**
 * Every code an {@link NngError} can carry: the "nng" layer of the family's one list
 * (`ERROR_CODES` in @portable-plugins/protocol, PROTOCOL.md §9.5, which says what each means).
 * Closed: adding one is a breaking change, made in that list first.
 */
export const NNG_ERROR_CODES = [
  "PORTABLE_E_TIMEOUT",
  "PORTABLE_E_CLOSED",
  "PORTABLE_E_CANCELLED",
  "PORTABLE_E_PROTO_STATE",
  "PORTABLE_E_PEER_PROTOCOL",
  "PORTABLE_E_PROTOCOL",
  "PORTABLE_E_MSG_TOO_LARGE",
  "PORTABLE_E_ADDR_IN_USE",
  "PORTABLE_E_CONNECT",
  "PORTABLE_E_BAD_URL",
] as const satisfies readonly ErrorCode[];
export type NngErrorCode = (typeof NNG_ERROR_CODES)[number];

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
