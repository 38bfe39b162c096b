// The wire transcript of one case: every message the driver sent or received,
// in order, with its direction and channel, plus process events. It is what a
// failure report shows, so a plugin author sees exactly what happened.

export type Direction = "host->plugin" | "plugin->host" | "event";

export interface TranscriptEntry {
  /** Milliseconds since the case started. */
  readonly at: number;
  readonly dir: Direction;
  /** `control`, `source:<as>`, `sink:<as>`, `ack:<as>`, `function:<name>`, `process`. */
  readonly channel: string;
  /** The message as text: printable, at most PREVIEW characters, `\xNN` for other bytes. */
  readonly text: string;
}

const PREVIEW = 400;

/** Text of a message for humans: UTF-8 when it is valid and printable, escapes otherwise. */
export function printable(message: Uint8Array | string): string {
  const text =
    typeof message === "string"
      ? message
      : Buffer.from(message.buffer, message.byteOffset, message.byteLength).toString("utf8");
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else if (c === 0xfffd) out += "\\ufffd";
    else out += ch;
    if (out.length >= PREVIEW) return `${out.slice(0, PREVIEW)}… (${text.length} chars)`;
  }
  return out;
}

export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  readonly #start = Date.now();

  /** A message the host (the suite) sent. */
  sent(channel: string, message: Uint8Array | string): void {
    this.#add("host->plugin", channel, printable(message));
  }

  /** A message the plugin sent. */
  received(channel: string, message: Uint8Array | string): void {
    this.#add("plugin->host", channel, printable(message));
  }

  /** Something that is not a message: a spawn, an exit, a connection, a signal. */
  event(channel: string, what: string): void {
    this.#add("event", channel, what);
  }

  /** Messages received on `channel` since entry index `from`. */
  receivedOn(channel: string, from = 0): TranscriptEntry[] {
    return this.entries
      .slice(from)
      .filter((e) => e.dir === "plugin->host" && e.channel === channel);
  }

  #add(dir: Direction, channel: string, text: string): void {
    this.entries.push({ at: Date.now() - this.#start, dir, channel, text });
  }
}

/** One line per entry: `  +123ms  plugin->host  control  handshake`. */
export function formatTranscript(entries: readonly TranscriptEntry[], indent = "    "): string {
  const arrow = (d: Direction) =>
    d === "host->plugin"
      ? "host → plugin"
      : d === "plugin->host"
        ? "plugin → host"
        : "·            ";
  return entries
    .map(
      (e) =>
        `${indent}${`+${e.at}ms`.padStart(8)}  ${arrow(e.dir)}  ${e.channel.padEnd(18)} ${e.text}`,
    )
    .join("\n");
}
