// Typed errors of the protocol package. Callers switch on `code`, never on
// message text; `field` is the dotted path of the offending field
// (PROTOCOL.md §9, "Decode errors").

import type { ErrorCode } from "./error-codes.js";

/** The codes a {@link ProtocolError} can carry: the list's "protocol" layer (error-codes.ts). */
export const PROTOCOL_ERROR_CODES = [
  "PORTABLE_E_DECODE",
  "PORTABLE_E_ENCODE",
  "PORTABLE_E_LIMIT",
  "PORTABLE_E_MISMATCH",
] as const satisfies readonly ErrorCode[];
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

export class ProtocolError extends Error {
  override readonly name = "ProtocolError";
  readonly code: ProtocolErrorCode;
  /** The message kind being decoded or encoded, e.g. "Control". */
  readonly kind: string;
  /** Dotted path of the offending field, `[i]` for array items; "" for the whole message. */
  readonly field: string;

  constructor(
    code: ProtocolErrorCode,
    kind: string,
    field: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${kind}${field ? `.${field}` : ""}: ${detail}`, options);
    this.code = code;
    this.kind = kind;
    this.field = field;
  }

  static is(err: unknown, code?: ProtocolErrorCode): err is ProtocolError {
    return err instanceof ProtocolError && (code === undefined || err.code === code);
  }
}
