// The command line of a plugin process, per manifest language, exactly as a
// host builds it (PROTOCOL.md §3.2): the package format's, which the host
// uses too — cwd = the executable's folder, one argument, the PortableConfig
// `{"sendTimeout":1000}` (§3.1).

import { pluginCommand } from "@portable-plugins/package";
import type { LaunchCommand } from "../driver/plugin-process.js";
import type { Subject } from "./types.js";

export interface Interpreters {
  /** Python interpreter for `language: python` (default `python3`). */
  readonly python: string;
  /** Node.js for `language: nodejs` (default: the node running the suite). */
  readonly node: string;
}

export function launchCommand(subject: Subject, bins: Interpreters): LaunchCommand {
  return pluginCommand(subject, { pythonBin: bins.python, nodeBin: bins.node, condaBin: "conda" });
}
