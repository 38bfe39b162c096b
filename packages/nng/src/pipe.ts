// One connected stream to one peer (NNG calls it a pipe): exchanges the 8-byte SP header, then
// turns incoming bytes into messages and outgoing messages into frames. Protocols see only
// open pipes; the socket decides what to do when one closes.
import type { Socket as NetSocket } from "node:net";
import { NngError } from "./errors.js";
import { encodeFrame, FrameDecoder, prefixSize, type Transport, writePrefix } from "./framing.js";
import { checkPeerHeader, encodeHeader, HEADER_SIZE, type SocketProtocol } from "./header.js";
import { isOrdinaryDisconnect } from "./os-errors.js";

/** What the socket tells users about a pipe (in pipe events). */
export interface PipeInfo {
  /** Unique within the process, increasing. */
  readonly id: number;
  /** The URL of the dialer or listener that created the pipe. */
  readonly url: string;
  readonly side: "dial" | "listen";
  readonly transport: Transport;
  /** "host:port" for tcp; the socket path for ipc. */
  readonly remoteAddress: string;
}

export interface PipeHooks {
  /** Header exchange done and the peer speaks our peer protocol. */
  opened(pipe: Pipe): void;
  message(pipe: Pipe, message: Buffer): void;
  /** The pipe can take another message after having been full. */
  writable(pipe: Pipe): void;
  /** Called once. `wasOpen` says whether `opened` had been called. */
  closed(pipe: Pipe, error: NngError | undefined, wasOpen: boolean): void;
}

export interface PipeConfig {
  readonly transport: Transport;
  readonly url: string;
  readonly side: "dial" | "listen";
  readonly self: SocketProtocol;
  readonly handshakeTimeout: number;
  readonly maxSize: () => number;
}

/** Messages up to this size are copied into one frame buffer; larger bodies are not copied. */
const COALESCE_LIMIT = 16 * 1024;
/** How long a closing pipe may take to flush what it already accepted before it is cut. */
const LINGER_MS = 1000;

let nextPipeId = 1;

export class Pipe {
  readonly info: PipeInfo;
  /** Resolves once the underlying stream has fully closed (fd released). */
  readonly done: Promise<void>;
  private readonly stream: NetSocket;
  private readonly config: PipeConfig;
  private readonly hooks: PipeHooks;
  private readonly decoder: FrameDecoder;
  private state: "handshake" | "open" | "closed" = "handshake";
  private header: Buffer | undefined = Buffer.alloc(HEADER_SIZE);
  private headerHave = 0;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private lingerTimer: NodeJS.Timeout | undefined;
  private paused = false;
  private pumping = false;
  private full = false;
  private corked = false;

  constructor(stream: NetSocket, config: PipeConfig, hooks: PipeHooks) {
    this.stream = stream;
    this.config = config;
    this.hooks = hooks;
    this.info = {
      id: nextPipeId++,
      url: config.url,
      side: config.side,
      transport: config.transport,
      remoteAddress:
        config.transport === "tcp"
          ? `${stream.remoteAddress ?? "?"}:${stream.remotePort ?? "?"}`
          : config.url.slice("ipc://".length),
    };
    this.decoder = new FrameDecoder(config.transport, { maxSize: config.maxSize });
    this.done = new Promise((resolve) => stream.once("close", () => resolve()));
    if (config.transport === "tcp") stream.setNoDelay(true);
    stream.on("data", (chunk: Buffer) => this.onData(chunk));
    stream.on("drain", () => this.onDrain());
    stream.on("end", () => this.close(this.endError()));
    stream.on("error", (err) => this.close(this.streamError(err)));
    stream.on("close", () => {
      if (this.lingerTimer !== undefined) clearTimeout(this.lingerTimer);
      this.close(this.endError());
    });
    // Both sides send their header at once, without waiting for the peer's (sp-tcp-mapping-01).
    stream.write(encodeHeader(config.self));
    if (config.handshakeTimeout > 0 && config.handshakeTimeout < 0x7fff_ffff) {
      this.handshakeTimer = setTimeout(() => {
        this.handshakeTimer = undefined;
        this.close(
          new NngError(
            "PORTABLE_E_PROTOCOL",
            `peer sent no SP connection header within ${config.handshakeTimeout} ms`,
          ),
        );
      }, config.handshakeTimeout);
    }
  }

  get isOpen(): boolean {
    return this.state === "open";
  }

  /** Open and not backed up: a new message goes out without growing an unbounded buffer. */
  get writable(): boolean {
    return this.state === "open" && !this.full;
  }

  /**
   * Queues one message made of `parts` (protocol header words, then body). Never blocks: the
   * caller checks `writable` first when it wants back-pressure. Buffers passed here must not be
   * modified afterwards; large ones are written without a copy.
   */
  send(parts: readonly Uint8Array[]): void {
    if (this.state !== "open") return;
    let length = 0;
    for (const part of parts) length += part.byteLength;
    // Cork until the next tick: every message sent in this tick (a burst of small ones, or a
    // prefix and a large body) reaches the kernel in one writev.
    if (!this.corked) {
      this.corked = true;
      this.stream.cork();
      process.nextTick(() => {
        this.corked = false;
        this.stream.uncork();
      });
    }
    let ok: boolean;
    if (length <= COALESCE_LIMIT) {
      ok = this.stream.write(encodeFrame(this.config.transport, parts));
    } else {
      const prefix = Buffer.allocUnsafe(prefixSize(this.config.transport));
      writePrefix(prefix, 0, this.config.transport, length);
      ok = this.stream.write(prefix);
      for (const part of parts) ok = this.stream.write(part);
    }
    if (!ok) this.full = true;
  }

  /** Stops reading (the consumer's queue is full): TCP/Unix-socket flow control reaches the peer. */
  pause(): void {
    if (this.paused || this.state === "closed") return;
    this.paused = true;
    this.stream.pause();
  }

  resume(): void {
    if (!this.paused || this.state === "closed") return;
    this.paused = false;
    this.stream.resume();
    this.pump();
  }

  /**
   * Closes the pipe; `hooks.closed` runs before this returns. With `flush`, bytes already
   * accepted by `send` get up to LINGER_MS to reach the kernel first.
   */
  close(error?: NngError, flush = false): void {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    if (this.handshakeTimer !== undefined) {
      clearTimeout(this.handshakeTimer);
      this.handshakeTimer = undefined;
    }
    if (flush && wasOpen && !this.stream.destroyed && this.stream.writableLength > 0) {
      if (this.corked) this.stream.uncork();
      this.stream.end(() => this.stream.destroy());
      this.lingerTimer = setTimeout(() => this.stream.destroy(), LINGER_MS);
    } else {
      this.stream.destroy();
    }
    const context = error?.withContext(this.config.url, this.config.self);
    this.hooks.closed(this, context, wasOpen);
  }

  private onData(chunk: Buffer): void {
    if (this.state === "closed") return;
    let data = chunk;
    if (this.state === "handshake") {
      const header = this.header as Buffer;
      const n = Math.min(HEADER_SIZE - this.headerHave, data.length);
      data.copy(header, this.headerHave, 0, n);
      this.headerHave += n;
      data = data.subarray(n);
      if (this.headerHave < HEADER_SIZE) return;
      this.header = undefined;
      try {
        checkPeerHeader(header, this.config.self);
      } catch (err) {
        this.close(err as NngError);
        return;
      }
      if (this.handshakeTimer !== undefined) {
        clearTimeout(this.handshakeTimer);
        this.handshakeTimer = undefined;
      }
      this.state = "open";
      this.hooks.opened(this);
    }
    this.decoder.push(data);
    this.pump();
  }

  /** Hands decoded messages to the protocol one by one until it pauses us or input runs out. */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.state === "open" && !this.paused) {
        let message: Buffer | undefined;
        try {
          message = this.decoder.next();
        } catch (err) {
          this.close(err as NngError);
          return;
        }
        if (message === undefined) return;
        this.hooks.message(this, message);
      }
    } finally {
      this.pumping = false;
    }
  }

  private onDrain(): void {
    if (!this.full) return;
    this.full = false;
    if (this.state === "open") this.hooks.writable(this);
  }

  /** A dialer needs a reason when the peer hangs up mid-handshake; a listener does not care. */
  private endError(): NngError | undefined {
    if (this.state !== "handshake" || this.config.side !== "dial") return undefined;
    return new NngError(
      "PORTABLE_E_CONNECT",
      "peer closed the connection before completing the SP header exchange",
    );
  }

  private streamError(err: Error): NngError | undefined {
    if (isOrdinaryDisconnect(err)) return this.endError();
    return new NngError("PORTABLE_E_CLOSED", `connection failed: ${err.message}`, { cause: err });
  }
}
