// The one error type of the suite. A ConformanceError is always a HARNESS
// error (the suite could not do its job: bad arguments, a plugin it cannot
// unpack or launch, an invalid scenario file); wrong behaviour of the plugin
// under test is never thrown, it is a finding (runner/outcome.ts).

import type { ErrorCode } from "@portable-plugins/protocol";

/**
 * Every code a {@link ConformanceError} can carry: the "conformance" layer of the family's one
 * list (`ERROR_CODES` in @portable-plugins/protocol, PROTOCOL.md §9.5, which says what each means).
 */
export const CONFORMANCE_ERROR_CODES = [
  "PORTABLE_E_CONF_USAGE",
  "PORTABLE_E_CONF_SUBJECT",
  "PORTABLE_E_CONF_IN_USE",
  "PORTABLE_E_CONF_LAUNCH",
  "PORTABLE_E_CONF_SCENARIO",
  "PORTABLE_E_CONF_SOCKET",
] as const satisfies readonly ErrorCode[];
export type ConformanceErrorCode = (typeof CONFORMANCE_ERROR_CODES)[number];

export class ConformanceError extends Error {
  override readonly name = "ConformanceError";
  readonly code: ConformanceErrorCode;
  /** The file or path concerned, when there is one. */
  readonly path: string | undefined;

  constructor(
    code: ConformanceErrorCode,
    message: string,
    options: { path?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options.path;
  }

  static is(err: unknown, code?: ConformanceErrorCode): err is ConformanceError {
    return err instanceof ConformanceError && (code === undefined || err.code === code);
  }

  /** Any thrown value as a ConformanceError of `code` (keeps ConformanceErrors as they are). */
  static from(err: unknown, code: ConformanceErrorCode, prefix?: string): ConformanceError {
    if (err instanceof ConformanceError) return err;
    const detail = err instanceof Error ? err.message : String(err);
    return new ConformanceError(code, prefix ? `${prefix}: ${detail}` : detail, { cause: err });
  }
}
