// Where a symbol's files are: `<kind>/<symbol>.<ext>` in the package, or in
// the operator's etc folder when one is placed there; and how errors about
// them name the file, the plugin and the symbol.

import { stat } from "node:fs/promises";
import { join, sep } from "node:path";
import { type SymbolKind, symbolListOf } from "@portable-plugins/protocol";
import { PackageError } from "./errors.js";

export interface PackageCheckOptions {
  /** Operator folder whose `sources|sinks|functions/<name>.*` files take precedence. */
  readonly etcDir?: string | undefined;
}

const exists = (p: string) =>
  stat(p).then(
    (s) => s.isFile(),
    () => false,
  );

/**
 * The file in effect for a symbol: `<etcDir>/<kind>/<symbol>.<ext>` when the
 * operator placed one (eKuiper's auto-load layout), else the package's own.
 */
export async function symbolFile(
  dir: string,
  kind: SymbolKind,
  symbol: string,
  ext: "yaml" | "json",
  opts: PackageCheckOptions = {},
): Promise<string | undefined> {
  const rel = join(symbolListOf(kind), `${symbol}.${ext}`);
  if (opts.etcDir && (await exists(join(opts.etcDir, rel)))) return join(opts.etcDir, rel);
  const own = join(dir, rel);
  return (await exists(own)) ? own : undefined;
}

/** A path as shown in errors: relative inside the package, absolute elsewhere (etc). */
export function shown(dir: string, path: string): string {
  return path.startsWith(dir + sep) ? path.slice(dir.length + 1) : path;
}

/** Names the plugin and symbol in a configuration error. */
export function inPlugin(err: unknown, plugin: string, symbol: string): unknown {
  if (!PackageError.is(err) || err.plugin !== undefined) return err;
  return new PackageError(err.code, `plugin ${plugin}: ${err.message}`, {
    plugin,
    symbol,
    ...(err.path === undefined ? {} : { path: err.path }),
    cause: err,
  });
}
