// What the host makes of a plugin's stdout and stderr lines: the log level a
// line announces (plain `INFO`/`WARN`/`ERROR`/`DEBUG` words, logrus
// `level=info`, Python logging `INFO:root:`, a Go `panic:`), plugin output
// without one is logged at info; and the tail of stderr kept so that a
// process that dies before its handshake can be explained in its status
// (a Go panic, "exec: node: not found", a Python traceback's last line).

import type { LogLevel } from "../logger.js";

const WORDS: Record<string, LogLevel> = {
  trace: "debug",
  debug: "debug",
  info: "info",
  notice: "info",
  warn: "warn",
  warning: "warn",
  error: "error",
  err: "error",
  fatal: "error",
  panic: "error",
  critical: "error",
  crit: "error",
};

const LOGRUS = /\blevel=["']?([a-z]+)\b/i;
/** Python logging's default format `INFO:root:message`, and eKuiper's Python SDK's `<time> - <file>[line:N] - INFO: message`. */
const PYTHON = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):|\s-\s(DEBUG|INFO|WARNING|ERROR|CRITICAL):\s/;
const UPPER = /^[A-Z]+$/;

/** The level a plugin output line announces, or info when it announces none. */
export function lineLevel(line: string): LogLevel {
  const python = PYTHON.exec(line);
  if (python) return WORDS[(python[1] ?? python[2] ?? "").toLowerCase()] ?? "info";
  const logrus = LOGRUS.exec(line);
  if (logrus) {
    const level = WORDS[(logrus[1] as string).toLowerCase()];
    if (level) return level;
  }
  if (/^(panic:|fatal error:|Traceback \(most recent call last\))/.test(line)) return "error";
  // A level word among the first four tokens: upper case (`INFO msg`,
  // `2024/01/02 10:00:00 [WARN] msg`), or lower case in a tab-separated line
  // (zap's `<time>\tinfo\t<msg>`), never a word inside a sentence.
  const tabbed = line.includes("\t");
  const tokens = line.slice(0, 120).trim().split(/\s+/, 4);
  for (const raw of tokens) {
    const token = raw.replace(/^[[(<]+|[\])>:,]+$/g, "");
    const level = WORDS[token.toLowerCase()];
    if (level && (UPPER.test(token) || tabbed)) return level;
  }
  return "info";
}

/** How many stderr lines a process keeps, and how long each may be. */
const TAIL_LINES = 40;
const LINE_CHARS = 300;

/** The last lines a process wrote on stderr. */
export class OutputTail {
  readonly #lines: string[] = [];

  push(line: string): void {
    const trimmed = line.length > LINE_CHARS ? `${line.slice(0, LINE_CHARS)}…` : line;
    this.#lines.push(trimmed);
    if (this.#lines.length > TAIL_LINES) this.#lines.shift();
  }

  get lines(): readonly string[] {
    return this.#lines;
  }

  /**
   * The line that explains an early death: a Go panic or fatal error, else
   * the last line that reads like an error, else the last non-empty line.
   */
  tellingLine(): string | undefined {
    const lines = this.#lines.map((l) => l.trim()).filter((l) => l.length > 0);
    const panic = lines.find((l) => /^(panic:|fatal error:)/.test(l));
    if (panic) return panic;
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = lines[i] as string;
      if (/^\s*(at |goroutine |File "|\S+\.go:\d+)/.test(l)) continue;
      if (
        /error|exception|not found|no such file|denied|cannot|can't|could not|failed|refused|unable/i.test(
          l,
        )
      )
        return l;
    }
    return lines.at(-1);
  }
}
