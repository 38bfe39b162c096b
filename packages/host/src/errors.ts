// The one error type of the host. Callers (REST, CLI, the supervisor) switch on
// `code`, never on message text; the context fields name what failed so a
// message can be rebuilt or logged without parsing.

export type HostErrorCode =
  /** An install, update or uninstall failed on the file system. */
  | "PORTABLE_E_INSTALL"
  /** A plugin name is empty, unsafe or too long for its control socket path. */
  | "PORTABLE_E_NAME"
  /** `<name>.json` is missing, misnamed, not JSON, or has an invalid field. */
  | "PORTABLE_E_MANIFEST"
  /** A file the manifest requires (executable, `sources/<s>.yaml`) is not in the package. */
  | "PORTABLE_E_MISSING_FILE"
  /** The archive is corrupt or holds an unsafe entry (escaping path, symlink escape, duplicate). */
  | "PORTABLE_E_ZIP"
  /** The archive exceeds a size or entry-count limit (zip bomb). */
  | "PORTABLE_E_ZIP_LIMIT"
  /** The plugin, or one of its symbols, is already installed. */
  | "PORTABLE_E_CONFLICT"
  /** Two plugins define the same function: both would listen on `/tmp/func_<name>.ipc`. */
  | "PORTABLE_E_FUNCTION_COLLISION"
  /** No such plugin, symbol or configuration. */
  | "PORTABLE_E_NOT_FOUND"
  /** `install.sh` exited non-zero or timed out. */
  | "PORTABLE_E_INSTALL_SCRIPT"
  /** The package could not be fetched (bad URL, HTTP error, timeout, too large). */
  | "PORTABLE_E_DOWNLOAD"
  /** A symbol configuration (`sources/<s>.yaml`) or description (`*.json`) is invalid. */
  | "PORTABLE_E_CONFIG"
  /** A REST request body or a CLI argument is invalid. */
  | "PORTABLE_E_BAD_REQUEST"
  /** A REST request lacks the bearer token, or carries a wrong one. */
  | "PORTABLE_E_UNAUTHORIZED"
  /** The server refuses to start as configured (e.g. non-loopback without a token). */
  | "PORTABLE_E_SERVER"
  /** The runtime (supervisor) hook failed, e.g. could not stop the plugin's process. */
  | "PORTABLE_E_RUNTIME"
  /** The plugin process could not be spawned, exited, or failed its restarts (see `errMsg`). */
  | "PORTABLE_E_PROCESS"
  /** The plugin sent nothing on its control channel within the init timeout (PROTOCOL.md §5.4). */
  | "PORTABLE_E_HANDSHAKE"
  /** A command, call, ack or send got no answer in time (PROTOCOL.md §5.4). */
  | "PORTABLE_E_TIMEOUT"
  /** The plugin answered a start or stop command with an error text (PROTOCOL.md §4.2.3). */
  | "PORTABLE_E_COMMAND"
  /** A socket of a channel failed (listen, dial, send), or a message could not be decoded. */
  | "PORTABLE_E_CHANNEL"
  /** A function replied `state: false`: Validate refused the arguments, or Exec failed (§4.6.3). */
  | "PORTABLE_E_FUNCTION"
  /** A sink acked a message with an error (PROTOCOL.md §4.5.2). */
  | "PORTABLE_E_SINK"
  /** A source sent an error item (PROTOCOL.md §4.4.2). */
  | "PORTABLE_E_SOURCE"
  /** The proxy or the host was closed while the operation waited, or is used after close. */
  | "PORTABLE_E_CLOSED"
  /** An install, update or uninstall was cancelled before it changed anything (client gone, host stopping). */
  | "PORTABLE_E_CANCELLED"
  /** The plugins folder is in use by another host (its lock file names a live pid). */
  | "PORTABLE_E_LOCKED"
  /** A REST request was refused: a Host name not allowed without a token, or a cross-site browser request. */
  | "PORTABLE_E_FORBIDDEN"
  /** A REST request used a method the path does not serve (405, with `Allow`). */
  | "PORTABLE_E_METHOD";

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
  }

  /** The context fields that are set, and the cause: to build a related error. */
  get context(): HostErrorContext {
    const out: HostErrorContext = {};
    for (const key of ["plugin", "symbol", "path", "url", "field", "output", "channel"] as const) {
      const value = this[key];
      if (value !== undefined) out[key] = value;
    }
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
