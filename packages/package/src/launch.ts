// The command line of a plugin process per manifest language (PROTOCOL.md
// §3.2): the program, its arguments and its folder (the executable's), with
// the PortableConfig `{"sendTimeout":1000}` as the one argument (§3.1), plus
// `protocolVersions` when the starter offers more than version 1 (§10.2). The
// host and the conformance suite both start plugins with it; the environment
// is theirs to add.

import { dirname } from "node:path";
import { type PortableConfig, portableConfigArgument } from "@portable-plugins/protocol";
import type { PluginPackage } from "./manifest.js";

/** What the reference host passes (§3.1). */
export const PORTABLE_CONFIG: PortableConfig = { sendTimeout: 1000 };

export interface Interpreters {
  /** Python for `language: python`, e.g. `python3`. */
  readonly pythonBin: string;
  /** Node.js for `language: nodejs`, e.g. `node`. */
  readonly nodeBin: string;
  /** `conda` for `virtualEnvType: conda`. */
  readonly condaBin: string;
}

export interface PluginCommand {
  readonly file: string;
  readonly args: readonly string[];
  /** The folder that holds the executable (§3.2). */
  readonly cwd: string;
}

/** The part of a checked package that decides its command line. */
export type Launchable = Pick<PluginPackage, "language" | "executablePath"> & {
  readonly manifest: Pick<PluginPackage["manifest"], "virtualEnvType" | "env">;
};

/**
 * The program, arguments and folder that start `plugin` (§3.2). `protocolVersions`
 * is the version offer (§10.2); `[1]` (the default) writes no key, as a reference host.
 */
export function pluginCommand(
  plugin: Launchable,
  bins: Interpreters,
  protocolVersions: readonly number[] = [1],
): PluginCommand {
  const json = portableConfigArgument(PORTABLE_CONFIG.sendTimeout, protocolVersions);
  const exe = plugin.executablePath;
  const cwd = dirname(exe);
  const m = plugin.manifest;
  switch (plugin.language) {
    case "go":
      return { cwd, file: exe, args: [json] };
    case "nodejs":
      return { cwd, file: bins.nodeBin, args: [exe, json] };
    case "python":
      if (m.virtualEnvType === "conda") {
        // The reference's `conda run -n <env>`, plus --no-capture-output (without it
        // conda holds all output until exit) and -u (unbuffered): §3.2, Q38.
        const args = ["run", "-n", m.env ?? "", "--no-capture-output", bins.pythonBin, "-u"];
        return { cwd, file: bins.condaBin, args: [...args, exe, json] };
      }
      return { cwd, file: bins.pythonBin, args: ["-u", exe, json] };
  }
}
