// Plugin names as the host checks them. A plugin name becomes a folder name
// and the control socket `/tmp/plugin_<name>.ipc` (PROTOCOL.md §6.2, §2.5).
// The rule is the package format's (@portable-plugins/package), built on the
// protocol package's socket paths; the host throws it as PORTABLE_E_NAME.

import { pluginNameProblem } from "@portable-plugins/package";
import { HostError } from "./errors.js";

/** Throws PORTABLE_E_NAME unless `name` is a safe plugin name (the package format's rule). */
export function checkPluginName(name: string): void {
  const problem = pluginNameProblem(name);
  if (problem !== undefined) {
    throw new HostError("PORTABLE_E_NAME", problem, name === "" ? {} : { plugin: name });
  }
}
