// The plugin's log: one line per entry on stderr, which the host forwards to
// its own log prefixed with the plugin name (PROTOCOL.md §3.4).

import { format } from "node:util";
import type { Logger, LogLevel } from "./api.js";

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function levelFromEnv(value: string | undefined, fallback: LogLevel = "info"): LogLevel {
  const v = value?.toLowerCase();
  return v === "debug" || v === "info" || v === "warn" || v === "error" ? v : fallback;
}

export function createLogger(
  scope: string,
  level: LogLevel = levelFromEnv(process.env["PORTABLE_LOG_LEVEL"]),
  write: (line: string) => void = (line) => process.stderr.write(line),
): Logger {
  const at =
    (l: LogLevel) =>
    (message: string, ...details: unknown[]) => {
      if (RANK[l] < RANK[level]) return;
      const text = details.length ? format(message, ...details) : message;
      // One entry, one line: the host splits on newlines.
      write(`${l.toUpperCase()} [${scope}] ${text.replace(/\n/g, "\\n")}\n`);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}
