// Typed errors of the protocol package. Callers switch on `code`, never on
// message text; `field` is the dotted path of the offending field
// (PROTOCOL.md §9, "Decode errors").

export type ProtocolErrorCode =
  /** The bytes are not a valid message of the expected kind. */
  | "PORTABLE_E_DECODE"
  /** A value cannot be written as the expected message (e.g. NaN, a cycle). */
  | "PORTABLE_E_ENCODE";

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
