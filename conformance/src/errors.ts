// The one error type of the suite. A ConformanceError is always a HARNESS
// error (the suite could not do its job: bad arguments, a plugin it cannot
// unpack or launch, an invalid scenario file); wrong behaviour of the plugin
// under test is never thrown, it is a finding (runner/outcome.ts).

export type ConformanceErrorCode =
  /** Command-line arguments are missing or invalid. */
  | "PORTABLE_E_CONF_USAGE"
  /** The subject (zip, folder, manifest, executable) cannot be read, unpacked or validated. */
  | "PORTABLE_E_CONF_SUBJECT"
  /** `/tmp/plugin_<name>.ipc` is live: another host runs a plugin of that name. */
  | "PORTABLE_E_CONF_IN_USE"
  /** The plugin process could not be spawned (missing interpreter, not executable). */
  | "PORTABLE_E_CONF_LAUNCH"
  /** A scenario, profile or known-failures file is invalid (schema, YAML, unknown placeholder). */
  | "PORTABLE_E_CONF_SCENARIO"
  /** A socket the harness itself needs could not be opened. */
  | "PORTABLE_E_CONF_SOCKET";

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
