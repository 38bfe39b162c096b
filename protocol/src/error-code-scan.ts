// The file scan behind each package's error-code test: reads the named folders and files of a
// package and reports every `PORTABLE_E_…` word that is not in the family's one list
// (error-codes.ts). Node-only (it reads files), so it is its own entry point,
// `@portable-plugins/protocol/error-code-scan`, kept out of the main one.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { unknownErrorCodes } from "./error-codes.js";

export interface ErrorCodeScanOptions {
  /** Folders of the package, read recursively (default: src and test). */
  readonly dirs?: readonly string[];
  /** Which files of those folders are read, by name. */
  readonly include: RegExp;
  /** Single files read as well (default: README.md). */
  readonly files?: readonly string[];
}

export interface ErrorCodeScan {
  /** The files read, relative to the package folder. */
  readonly files: readonly string[];
  /** `file: CODE` for every code named in a file and missing from the list. */
  readonly unknown: readonly string[];
}

/** Scans the package in `pkgDir` for error codes that are not in the list. */
export function scanErrorCodes(pkgDir: string, opts: ErrorCodeScanOptions): ErrorCodeScan {
  const files = (opts.dirs ?? ["src", "test"])
    .flatMap((dir) =>
      readdirSync(join(pkgDir, dir), { recursive: true, encoding: "utf8" }).map((f) =>
        join(dir, f),
      ),
    )
    .filter((f) => opts.include.test(f))
    .concat(opts.files ?? ["README.md"]);
  const unknown = files.flatMap((f) =>
    unknownErrorCodes(readFileSync(join(pkgDir, f), "utf8")).map((c) => `${f}: ${c}`),
  );
  return { files, unknown };
}
