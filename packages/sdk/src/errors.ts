// Typed errors of the SDK. Callers switch on `code`; `plugin`, `symbol` and
// `url` say where it happened.

export type SdkErrorCode =
  /** The plugin definition is unusable (bad name, no symbols, a symbol twice). */
  | "PORTABLE_E_DEFINITION"
  /** The start argument is missing or not a PortableConfig. */
  | "PORTABLE_E_ARGUMENT"
  /** No host answered on the control channel. */
  | "PORTABLE_E_NO_HOST"
  /** A start or stop command could not be carried out. */
  | "PORTABLE_E_COMMAND";

export interface SdkErrorContext {
  readonly plugin?: string;
  readonly symbol?: string;
  readonly url?: string;
  /** What the user can do about it (shown by the command-line tools). */
  readonly hint?: string;
  readonly cause?: unknown;
}

export class SdkError extends Error {
  override readonly name = "SdkError";
  readonly code: SdkErrorCode;
  readonly plugin: string | undefined;
  readonly symbol: string | undefined;
  readonly url: string | undefined;
  readonly hint: string | undefined;

  constructor(code: SdkErrorCode, message: string, context: SdkErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.plugin = context.plugin;
    this.symbol = context.symbol;
    this.url = context.url;
    this.hint = context.hint;
  }

  static is(err: unknown, code?: SdkErrorCode): err is SdkError {
    return err instanceof SdkError && (code === undefined || err.code === code);
  }
}

/** The text of any thrown value, for an answer or a reply to the host. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === "string") return err;
  try {
    return JSON.stringify(err) ?? String(err);
  } catch {
    return String(err);
  }
}
