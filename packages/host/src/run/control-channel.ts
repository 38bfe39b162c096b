// The control channel of one plugin process (PROTOCOL.md §4.2, §5.1, §5.2):
// REP listening on `plugin_<name>.ipc` before the process is spawned, the
// handshake within the init timeout, then start/stop commands one at a time,
// each answered `ok` or with an error text. One instance per process: a
// restarted process gets a fresh listener (the old one is closed when the
// process exits, so a pending command fails at once instead of timing out).
// One connection at a time: a second one is refused and logged; a connection
// that breaks the wire format closes the channel with a protocol error at
// once; the peer's connection going away is reported to the owner, which
// decides whether the plugin closed its channel while staying alive.

import type { NngError, RefusedConnection } from "@portable-plugins/nng";
import {
  Command,
  type Command as CommandMessage,
  checkLaterHandshake,
  controlChannelUrl,
  decodeAnswer,
  learnVersion,
} from "@portable-plugins/protocol";

/** A command encoded once: its exact bytes go on the wire (and are replayed, §8.1); the message names it in errors. */
export interface EncodedCommand {
  readonly message: CommandMessage;
  readonly bytes: Buffer;
}

export function encodeCommand(message: CommandMessage): EncodedCommand {
  return { message, bytes: Command.encode(message) };
}

import { HostError } from "../errors.js";
import type { HostLogger } from "../logger.js";
import { ExchangeError, InvertedRep, preview } from "./inverted-rep.js";

/** What the owner (ManagedPlugin) hears about the channel's connections. */
export interface ControlEvents {
  /** Another process tried to connect while the plugin's process held the channel. */
  refused?(connection: RefusedConnection): void;
  /** The channel failed (protocol error, oversized message) and is closed. */
  failed?(error: HostError): void;
  /** The plugin's connection went away. */
  peerLost?(): void;
}

export interface ControlChannelOptions {
  readonly plugin: string;
  readonly socketDir: string;
  readonly commandTimeoutMs: number;
  readonly logger: HostLogger;
  /** Largest message accepted from the plugin (§2.5). */
  readonly maxMessageBytes: number;
  readonly events?: ControlEvents;
}

/** An NNG wire error as the host words it: what the plugin sent, on which channel. */
export function wireFault(
  err: NngError,
  what: string,
  context: { plugin: string; channel: string; symbol?: string },
  maxMessageBytes: number,
): HostError {
  const size = /message of (\d+) bytes/.exec(err.message)?.[1];
  const detail =
    err.code === "PORTABLE_E_MSG_TOO_LARGE" && size !== undefined
      ? `the plugin announced a message of ${size} bytes; the host accepts at most ${maxMessageBytes} bytes per message (maxMessageBytes), so it refused it before reading it`
      : err.message;
  return new HostError(
    "PORTABLE_E_CHANNEL",
    `plugin ${context.plugin}: protocol error on ${what} ${context.channel}: ${detail}`,
    { ...context, cause: err },
  );
}

/** A handshake that breaks negotiation (§10.4), on any channel of the plugin. */
export function versionError(
  plugin: string,
  channel: string,
  statusText: string,
  message: Buffer,
  symbol?: string,
): HostError {
  return new HostError(
    "PORTABLE_E_CHANNEL",
    `plugin ${plugin}: protocol error on ${channel}: ${statusText} (received ${preview(message)})`,
    { plugin, channel, statusText, ...(symbol === undefined ? {} : { symbol }) },
  );
}

export class ControlChannel {
  readonly plugin: string;
  readonly url: string;
  readonly #rep: InvertedRep;
  readonly #opts: ControlChannelOptions;

  constructor(opts: ControlChannelOptions) {
    this.plugin = opts.plugin;
    this.url = controlChannelUrl(opts.plugin, opts.socketDir);
    this.#opts = opts;
    const events = opts.events ?? {};
    this.#rep = new InvertedRep(
      this.url,
      `plugin ${opts.plugin} control`,
      opts.logger,
      opts.maxMessageBytes,
      {
        refused: (c) => {
          opts.logger.warn(
            `plugin ${opts.plugin}: refused a second connection to control channel ${this.url} at ${c.at.toISOString()}: ` +
              "the channel serves one process at a time (another process, maybe a plugin that calls itself " +
              `${opts.plugin}, tried to connect; Unix sockets do not tell the host which one)`,
          );
          events.refused?.(c);
        },
        fault: (err) => {
          const error = wireFault(
            err,
            "control channel",
            { plugin: opts.plugin, channel: this.url },
            opts.maxMessageBytes,
          );
          opts.logger.error(error.message);
          void this.#rep.close(error);
          events.failed?.(error);
        },
        peerLost: () => events.peerLost?.(),
      },
    );
  }

  /** Connections on the channel now (0 or 1). */
  get peers(): number {
    return this.#rep.peers;
  }

  /** Listens; call before spawning the process (the Go SDK cannot retry its dial, §2.6). */
  async listen(): Promise<void> {
    try {
      await this.#rep.listen();
    } catch (cause) {
      throw new HostError(
        "PORTABLE_E_CHANNEL",
        `plugin ${this.plugin}: cannot listen on control channel ${this.url}: ${(cause as Error).message}`,
        { plugin: this.plugin, channel: this.url, cause },
      );
    }
  }

  /**
   * Waits for the plugin's first request (any content counts, §3.3) and
   * learns the protocol version from it (§10.4) against the host's `offer`.
   * A version that was not offered, or a malformed suffix, is a protocol
   * error (PORTABLE_E_CHANNEL whose statusText is `protocol version <N> not
   * offered`). From then on every keepalive must have the same form.
   */
  async handshake(initTimeoutMs: number, offer: readonly number[] = [1]): Promise<number> {
    let first: Buffer;
    try {
      first = await this.#rep.first(initTimeoutMs);
    } catch (err) {
      throw this.#error(err, undefined, `no handshake within ${initTimeoutMs} ms`);
    }
    const learned = learnVersion(first, offer);
    if (!learned.ok) {
      const error = versionError(this.plugin, this.url, learned.errMsg, first);
      this.#opts.logger.error(error.message);
      await this.#rep.close(error);
      throw error;
    }
    if (learned.notHandshake) {
      this.#opts.logger.warn(
        `plugin ${this.plugin}: first control request is not "handshake" but ${preview(first)}; taken as the handshake (version 1)`,
      );
    }
    const version = learned.version;
    this.#rep.versionGuard = (message) => {
      const text = checkLaterHandshake(message, version);
      if (text === undefined) return undefined;
      const error = versionError(this.plugin, this.url, text, message);
      this.#opts.logger.error(error.message);
      this.#opts.events?.failed?.(error);
      return error;
    };
    return version;
  }

  /**
   * Sends a command and waits for its answer (keepalives re-send it, §5.2).
   * Resolves on `ok`; any other answer is a PORTABLE_E_COMMAND with the
   * plugin's text verbatim (§9.1).
   */
  async send(command: CommandMessage | EncodedCommand): Promise<void> {
    const { message, bytes } = "bytes" in command ? command : encodeCommand(command);
    const symbol = message.arg.symbolName;
    const what = `${message.cmd} ${message.arg.pluginType} ${symbol}`;
    let raw: Buffer;
    try {
      raw = await this.#rep.exchange(bytes, this.#opts.commandTimeoutMs);
    } catch (err) {
      throw this.#error(err, symbol, `${what}: no answer within ${this.#opts.commandTimeoutMs} ms`);
    }
    const answer = decodeAnswer(raw);
    if (!answer.ok) {
      throw new HostError(
        "PORTABLE_E_COMMAND",
        `plugin ${this.plugin}: ${what} failed on ${this.url}: ${answer.error}`,
        { plugin: this.plugin, symbol, channel: this.url },
      );
    }
  }

  /** Keepalive re-sends so far (diagnostics). */
  get resends(): number {
    return this.#rep.resends;
  }

  get closed(): boolean {
    return this.#rep.closed;
  }

  /** Closes and unlinks the listener; pending commands fail with `reason` (a HostError). */
  close(reason?: HostError): Promise<void> {
    return this.#rep.close(reason);
  }

  #error(err: unknown, symbol: string | undefined, timeoutText: string): HostError {
    const context = {
      plugin: this.plugin,
      channel: this.url,
      ...(symbol === undefined ? {} : { symbol }),
    };
    if (err instanceof ExchangeError) {
      if (err.failure === "closed") {
        if (HostError.is(err.cause)) return err.cause;
        return new HostError(
          "PORTABLE_E_CLOSED",
          `plugin ${this.plugin}: control channel ${this.url} closed`,
          { ...context, cause: err },
        );
      }
      return new HostError(
        symbol === undefined ? "PORTABLE_E_HANDSHAKE" : "PORTABLE_E_TIMEOUT",
        `plugin ${this.plugin}: ${timeoutText} on ${this.url}`,
        { ...context, cause: err },
      );
    }
    return HostError.from(err, "PORTABLE_E_CHANNEL", context);
  }
}
