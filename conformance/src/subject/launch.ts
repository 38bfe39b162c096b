// The command line of a plugin process, per manifest language, exactly as a
// host builds it (PROTOCOL.md §3.2): cwd = the executable's folder, one
// argument, the PortableConfig `{"sendTimeout":1000}` (§3.1).

import { dirname } from "node:path";
import type { LaunchCommand } from "../driver/plugin-process.js";
import type { Subject } from "./types.js";

export interface Interpreters {
  /** Python interpreter for `language: python` (default `python3`). */
  readonly python: string;
  /** Node.js for `language: nodejs` (default: the node running the suite). */
  readonly node: string;
}

export const PORTABLE_CONFIG = '{"sendTimeout":1000}';

export function launchCommand(subject: Subject, bins: Interpreters): LaunchCommand {
  const exe = subject.executablePath;
  const cwd = dirname(exe);
  switch (subject.language) {
    case "go":
      return { file: exe, args: [PORTABLE_CONFIG], cwd };
    case "nodejs":
      return { file: bins.node, args: [exe, PORTABLE_CONFIG], cwd };
    case "python":
      if (subject.manifest.virtualEnvType === "conda") {
        return {
          file: "conda",
          args: [
            "run",
            "--no-capture-output",
            "-n",
            subject.manifest.env ?? "",
            bins.python,
            "-u",
            exe,
            PORTABLE_CONFIG,
          ],
          cwd,
        };
      }
      return { file: bins.python, args: ["-u", exe, PORTABLE_CONFIG], cwd };
  }
}
