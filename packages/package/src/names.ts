// Which plugin and symbol names a package may use. A plugin name becomes a
// folder name and the control socket `/tmp/plugin_<name>.ipc`; a function name
// becomes `/tmp/func_<name>.ipc` (PROTOCOL.md §6.2); both must fit a Unix
// socket path (§2.5). The paths, their limit and the symbol kinds are the
// protocol package's; the naming rules are the package format's.

import {
  controlSocketPath,
  fitsIpcPath,
  functionSocketPath,
  SUN_PATH_BYTES,
  type SymbolKind,
} from "@portable-plugins/protocol";

const PLUGIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
/** Sources and sinks are named by string in rules: PROTOCOL.md §6.2's charset. */
const STREAM_SYMBOL_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Functions are called from SQL: identifiers only. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The reason `name` is not a safe plugin name, or undefined when it is. */
export function pluginNameProblem(name: string): string | undefined {
  if (name === "") return "plugin name must not be empty";
  if (!PLUGIN_NAME.test(name)) {
    return `invalid plugin name ${JSON.stringify(name)}: use letters, digits, '_' and '-' (not first)`;
  }
  if (!fitsIpcPath(controlSocketPath(name))) {
    return `plugin name ${JSON.stringify(name)} is too long: ${controlSocketPath(name)} must stay under ${SUN_PATH_BYTES} bytes`;
  }
  return undefined;
}

/** The reason `symbol` is not a valid symbol name of `kind`, or undefined when it is. */
export function symbolNameProblem(kind: SymbolKind, symbol: string): string | undefined {
  if (kind === "function" && !FUNCTION_NAME.test(symbol)) {
    return `function name ${JSON.stringify(symbol)} is not an identifier (letters, digits, '_'; not starting with a digit)`;
  }
  if (kind !== "function" && !STREAM_SYMBOL_NAME.test(symbol)) {
    return `${kind} name ${JSON.stringify(symbol)} is not valid (letters, digits, '_', '-'; starting with a letter or '_')`;
  }
  if (kind === "function" && !fitsIpcPath(functionSocketPath(symbol))) {
    return `function name ${JSON.stringify(symbol)} is too long: ${functionSocketPath(symbol)} must stay under ${SUN_PATH_BYTES} bytes`;
  }
  return undefined;
}
