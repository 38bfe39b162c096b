// The command line of a plugin process, per manifest language, exactly as a
// host builds it (PROTOCOL.md §3.2): the package format's, which the host
// uses too — cwd = the executable's folder, one argument, the PortableConfig
// `{"sendTimeout":1000}` (§3.1), with `protocolVersions` when the run offers
// more than version 1 (§10.2, §10.6).

import { pluginCommand } from "@portable-plugins/package";
import type { LaunchCommand } from "../driver/plugin-process.js";
import type { Subject } from "./types.js";

export interface Interpreters {
  /** Python interpreter for `language: python` (default `python3`). */
  readonly python: string;
  /** Node.js for `language: nodejs` (default: the node running the suite). */
  readonly node: string;
}

export function launchCommand(
  subject: Subject,
  bins: Interpreters,
  offer: readonly number[] = [1],
): LaunchCommand {
  return pluginCommand(
    subject,
    { pythonBin: bins.python, nodeBin: bins.node, condaBin: "conda" },
    offer,
  );
}

/** The offer of a run for version `n` (§10.6): exactly [1..n]. */
export function offerUpTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
