// The host's logger: plugin output lines, restarts, protocol oddities. A
// plain interface so an application can route it into its own logging; the
// default writes one line per record to stderr.

export interface HostLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type LogLevel = keyof HostLogger;

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes `<ISO time> <LEVEL> portable: <message>` to stderr for records at `level` or above. */
export function stderrLogger(level: LogLevel = "info"): HostLogger {
  const write = (at: LogLevel) => (message: string) => {
    if (ORDER[at] < ORDER[level]) return;
    process.stderr.write(`${new Date().toISOString()} ${at.toUpperCase()} portable: ${message}\n`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}

/** Drops everything. */
export const silentLogger: HostLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};
