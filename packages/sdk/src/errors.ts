// Typed errors of the SDK. Callers switch on `code`; `plugin`, `symbol` and
// `url` say where it happened.

import type { ErrorCode } from "@portable-plugins/protocol";

/**
 * Every code an {@link SdkError} can carry: the "sdk" layer of the family's one list
 * (`ERROR_CODES` in @portable-plugins/protocol, PROTOCOL.md §9.5, which says what each means).
 */
export const SDK_ERROR_CODES = [
  "PORTABLE_E_DEFINITION",
  "PORTABLE_E_ARGUMENT",
  "PORTABLE_E_NO_HOST",
  "PORTABLE_E_COMMAND",
] as const satisfies readonly ErrorCode[];
export type SdkErrorCode = (typeof SDK_ERROR_CODES)[number];

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
