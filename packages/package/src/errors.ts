// The one error type of the package format. Callers switch on `code`, never on
// message text; the codes are the family's (PROTOCOL.md §9) that the host has
// always thrown for these failures, so a host that rethrows a PackageError as
// its own error keeps the same code, message and context.

import type { ErrorCode } from "@portable-plugins/protocol";

/** The codes a PackageError carries: the "package" layer of the family's one list
 * (`ERROR_CODES` in @portable-plugins/protocol, PROTOCOL.md §9.5). */
export const PACKAGE_ERROR_CODES = [
  /** A plugin name is empty, unsafe or too long for its control socket path. */
  "PORTABLE_E_NAME",
  /** `<name>.json` is missing, misnamed, not JSON, or has an invalid field. */
  "PORTABLE_E_MANIFEST",
  /** A file the manifest requires (executable, `sources/<s>.yaml`) is not in the package. */
  "PORTABLE_E_MISSING_FILE",
  /** The archive is corrupt or holds an unsafe entry (escaping path, symlink escape, duplicate). */
  "PORTABLE_E_ZIP",
  /** The archive or folder exceeds a size or entry-count limit (zip bomb). */
  "PORTABLE_E_ZIP_LIMIT",
  /** A symbol configuration (`sources/<s>.yaml`) or description (`*.json`) is invalid. */
  "PORTABLE_E_CONFIG",
  /** `install.sh` exited non-zero, timed out or was stopped. */
  "PORTABLE_E_INSTALL_SCRIPT",
  /** Unpacking failed on the file system (disk full, permissions), not in the archive. */
  "PORTABLE_E_INSTALL",
] as const satisfies readonly ErrorCode[];
export type PackageErrorCode = (typeof PACKAGE_ERROR_CODES)[number];

export interface PackageErrorContext {
  /** The plugin concerned. */
  plugin?: string;
  /** The symbol concerned (source, sink or function name). */
  symbol?: string;
  /** A file or archive entry path. */
  path?: string;
  /** Dotted path of an offending manifest field, as reported by the protocol codec. */
  field?: string;
  /** JSON pointer of the offending value inside the file at `path` (a description's schema). */
  pointer?: string;
  /** Captured output of `install.sh`. */
  output?: string;
  cause?: unknown;
}

export class PackageError extends Error {
  override readonly name = "PackageError";
  readonly code: PackageErrorCode;
  readonly plugin: string | undefined;
  readonly symbol: string | undefined;
  readonly path: string | undefined;
  readonly field: string | undefined;
  readonly pointer: string | undefined;
  readonly output: string | undefined;

  constructor(code: PackageErrorCode, message: string, context: PackageErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.plugin = context.plugin;
    this.symbol = context.symbol;
    this.path = context.path;
    this.field = context.field;
    this.pointer = context.pointer;
    this.output = context.output;
  }

  /** The context fields that are set, and the cause: to build a related error. */
  get context(): PackageErrorContext {
    const out: PackageErrorContext = {};
    for (const key of ["plugin", "symbol", "path", "field", "pointer", "output"] as const) {
      const value = this[key];
      if (value !== undefined) out[key] = value;
    }
    if (this.cause !== undefined) out.cause = this.cause;
    return out;
  }

  static is(err: unknown, code?: PackageErrorCode): err is PackageError {
    return err instanceof PackageError && (code === undefined || err.code === code);
  }
}
