// Which plugin and symbol names a package may use. A plugin name becomes a
// folder name and the control socket `/tmp/plugin_<name>.ipc`; a function name
// becomes `/tmp/func_<name>.ipc` (PROTOCOL.md §6.2); both must fit a Unix
// socket path (§2.5). Symbol kinds and the folders that hold their files.

import {
  controlChannelUrl,
  functionChannelUrl,
  ipcPath,
  MAX_IPC_PATH_BYTES,
} from "@portable-plugins/protocol";

const PLUGIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;
/** Sources and sinks are named by string in rules: PROTOCOL.md §6.2's charset. */
const STREAM_SYMBOL_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
/** Functions are called from SQL: identifiers only. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type SymbolKind = "source" | "sink" | "function";

/** The manifest array and folder name of each symbol kind. */
export const KIND_FOLDER: Readonly<Record<SymbolKind, "sources" | "sinks" | "functions">> = {
  source: "sources",
  sink: "sinks",
  function: "functions",
};

export const SYMBOL_KINDS: readonly SymbolKind[] = ["source", "sink", "function"];

/** Bytes a socket path may not reach: `sockaddr_un.sun_path`, with its NUL (Linux). */
const SUN_PATH_BYTES = MAX_IPC_PATH_BYTES + 1;

/** The socket path, when it does not fit `sun_path`. */
function tooLong(url: string): string | undefined {
  const path = ipcPath(url);
  return Buffer.byteLength(path, "utf8") > MAX_IPC_PATH_BYTES ? path : undefined;
}

/** The reason `name` is not a safe plugin name, or undefined when it is. */
export function pluginNameProblem(name: string): string | undefined {
  if (name === "") return "plugin name must not be empty";
  if (!PLUGIN_NAME.test(name)) {
    return `invalid plugin name ${JSON.stringify(name)}: use letters, digits, '_' and '-' (not first)`;
  }
  const path = tooLong(controlChannelUrl(name));
  if (path !== undefined) {
    return `plugin name ${JSON.stringify(name)} is too long: ${path} must stay under ${SUN_PATH_BYTES} bytes`;
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
  const path = kind === "function" ? tooLong(functionChannelUrl(symbol)) : undefined;
  if (path !== undefined) {
    return `function name ${JSON.stringify(symbol)} is too long: ${path} must stay under ${SUN_PATH_BYTES} bytes`;
  }
  return undefined;
}
