// The one error type of the host. Callers (REST, CLI, the supervisor) switch on
// `code`, never on message text; the context fields name what failed so a
// message can be rebuilt or logged without parsing.
import type { ErrorClass, ErrorCode } from "@portable-plugins/protocol";

/**
 * Every code a {@link HostError} can carry: the "host" layer of the family's one list
 * (`ERROR_CODES` in @portable-plugins/protocol, PROTOCOL.md §9.5, which says what each means),
 * less `PORTABLE_E_INTERNAL`, which only REST answers carry (rest/errors.ts).
 */
export const HOST_ERROR_CODES = [
  "PORTABLE_E_INSTALL",
  "PORTABLE_E_NAME",
  "PORTABLE_E_MANIFEST",
  "PORTABLE_E_MISSING_FILE",
  "PORTABLE_E_ZIP",
  "PORTABLE_E_ZIP_LIMIT",
  "PORTABLE_E_CONFLICT",
  "PORTABLE_E_FUNCTION_COLLISION",
  "PORTABLE_E_NOT_FOUND",
  "PORTABLE_E_INSTALL_SCRIPT",
  "PORTABLE_E_DOWNLOAD",
  "PORTABLE_E_CONFIG",
  "PORTABLE_E_BAD_REQUEST",
  "PORTABLE_E_UNAUTHORIZED",
  "PORTABLE_E_SERVER",
  "PORTABLE_E_RUNTIME",
  "PORTABLE_E_PROCESS",
  "PORTABLE_E_HANDSHAKE",
  "PORTABLE_E_TIMEOUT",
  "PORTABLE_E_COMMAND",
  "PORTABLE_E_CHANNEL",
  "PORTABLE_E_FUNCTION",
  "PORTABLE_E_TYPE",
  "PORTABLE_E_SINK",
  "PORTABLE_E_SOURCE",
  "PORTABLE_E_CLOSED",
  "PORTABLE_E_CANCELLED",
  "PORTABLE_E_LOCKED",
  "PORTABLE_E_FORBIDDEN",
  "PORTABLE_E_METHOD",
] as const satisfies readonly ErrorCode[];
export type HostErrorCode = (typeof HOST_ERROR_CODES)[number];

export interface HostErrorContext {
  /** The plugin concerned. */
  plugin?: string;
  /** The symbol concerned (source, sink or function name). */
  symbol?: string;
  /** A file or archive entry path. */
  path?: string;
  /** The URL a package was fetched from. */
  url?: string;
  /** Dotted path of an offending manifest field, as reported by the protocol codec. */
  field?: string;
  /** Captured output of `install.sh`. */
  output?: string;
  /** The channel URL concerned (`ipc:///tmp/...`). */
  channel?: string;
  /** What the status document's `errMsg` says for this error when it is not the message (§10.4). */
  statusText?: string;
  /** Version 2 (§12.6): the code the plugin sent in its typed error (may be one this host does not know). */
  remoteCode?: string;
  /** Version 2 (§12.6): what the plugin says to do: RETRYABLE, BACKOFF or FATAL. */
  errorClass?: ErrorClass;
  cause?: unknown;
}

export class HostError extends Error {
  override readonly name = "HostError";
  readonly code: HostErrorCode;
  readonly plugin: string | undefined;
  readonly symbol: string | undefined;
  readonly path: string | undefined;
  readonly url: string | undefined;
  readonly field: string | undefined;
  readonly output: string | undefined;
  readonly channel: string | undefined;
  readonly statusText: string | undefined;
  readonly remoteCode: string | undefined;
  readonly errorClass: ErrorClass | undefined;

  constructor(code: HostErrorCode, message: string, context: HostErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.plugin = context.plugin;
    this.symbol = context.symbol;
    this.path = context.path;
    this.url = context.url;
    this.field = context.field;
    this.output = context.output;
    this.channel = context.channel;
    this.statusText = context.statusText;
    this.remoteCode = context.remoteCode;
    this.errorClass = context.errorClass;
  }

  /** The context fields that are set, and the cause: to build a related error. */
  get context(): HostErrorContext {
    const out: HostErrorContext = {};
    for (const key of [
      "plugin",
      "symbol",
      "path",
      "url",
      "field",
      "output",
      "channel",
      "statusText",
      "remoteCode",
    ] as const) {
      const value = this[key];
      if (value !== undefined) out[key] = value;
    }
    if (this.errorClass !== undefined) out.errorClass = this.errorClass;
    if (this.cause !== undefined) out.cause = this.cause;
    return out;
  }

  static is(err: unknown, code?: HostErrorCode): err is HostError {
    return err instanceof HostError && (code === undefined || err.code === code);
  }

  /** `err` itself when it is a HostError, else a new one with `code` wrapping it. */
  static from(err: unknown, code: HostErrorCode, context: HostErrorContext = {}): HostError {
    if (err instanceof HostError) return err;
    const detail = err instanceof Error ? err.message : String(err);
    return new HostError(code, detail, { ...context, cause: err });
  }
}

/**
 * How a plugin's typed version-2 error (§12.6) reads in a HostError of code `hostCode`:
 * `what: message (class)`, with the plugin's code before the class when it differs.
 */
export function remoteErrorText(
  what: string,
  hostCode: HostErrorCode,
  e: { code: string; class: string; message: string },
) {
  const tag = e.code === hostCode ? e.class : `${e.code}, ${e.class}`;
  return `${what}: ${e.message} (${tag})`;
}

/** The HostError code for a plugin's code: the same code when the host knows it, else `fallback`. */
export function hostCodeFor(remoteCode: string, fallback: HostErrorCode): HostErrorCode {
  return (HOST_ERROR_CODES as readonly string[]).includes(remoteCode)
    ? (remoteCode as HostErrorCode)
    : fallback;
}
