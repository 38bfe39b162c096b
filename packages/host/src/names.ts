// Which plugin and symbol names are safe, and the sockets they name. A plugin
// name becomes a folder name and the control socket `/tmp/plugin_<name>.ipc`;
// a function name becomes `/tmp/func_<name>.ipc` (PROTOCOL.md §6.2); both must
// fit a Unix socket path (§2.5). The rules are the package format's
// (@portable-plugins/package); the host throws them as PORTABLE_E_NAME.

import { pluginNameProblem } from "@portable-plugins/package";
import { HostError } from "./errors.js";

/** Bytes in `sockaddr_un.sun_path`, including the terminating NUL (Linux). */
export const MAX_SOCKET_PATH_BYTES = 108;

export {
  KIND_FOLDER,
  SYMBOL_KINDS,
  type SymbolKind,
  symbolNameProblem,
} from "@portable-plugins/package";

/** The control channel the host listens on for a plugin (PROTOCOL.md §5.1). */
export function controlSocketPath(plugin: string): string {
  return `/tmp/plugin_${plugin}.ipc`;
}

/** The channel the host listens on for a function symbol (PROTOCOL.md §5.1). */
export function functionSocketPath(symbol: string): string {
  return `/tmp/func_${symbol}.ipc`;
}

/** Throws PORTABLE_E_NAME unless `name` is a safe plugin name (the package format's rule). */
export function checkPluginName(name: string): void {
  const problem = pluginNameProblem(name);
  if (problem !== undefined) {
    throw new HostError("PORTABLE_E_NAME", problem, name === "" ? {} : { plugin: name });
  }
}
