// The protocol-independent part of an SP socket: options, dialers and listeners, the set of
// open pipes, deadlines, pipe events and close. Each protocol (req.ts, push.ts, ...) extends it
// and decides what a message from a pipe means and where a sent message goes.
import type { Socket as NetSocket } from "node:net";
import { Deferred } from "./deferred.js";
import { Dialer } from "./dialer.js";
import { NngError } from "./errors.js";
import type { SocketProtocol } from "./header.js";
import { checkMaxPeers, type Listener, type ListenOptions, startListener } from "./listener.js";
import {
  checkOption,
  type OptionName,
  type ResolvedOptions,
  resolveOptions,
  type SocketOptions,
} from "./options.js";
import { Pipe, type PipeInfo } from "./pipe.js";
import type { PipeHost, PipeWatcher, RefusedConnection } from "./pipe-host.js";
import { type Address, parseUrl } from "./url.js";

export interface DialOptions {
  /**
   * true (default): wait for the first connection and its SP header exchange; throw if it fails
   * (PORTABLE_E_CONNECT, or PORTABLE_E_PEER_PROTOCOL / PORTABLE_E_PROTOCOL for a wrong peer),
   * without retrying. false: return at once and keep connecting in the background.
   * Either way, once connected, the dialer reconnects whenever the connection drops.
   */
  blocking?: boolean;
}

export type PipeEvent =
  | { readonly type: "added"; readonly pipe: PipeInfo }
  | { readonly type: "refused"; readonly refused: RefusedConnection }
  | { readonly type: "removed"; readonly pipe: PipeInfo; readonly error?: NngError }
  | { readonly type: "error"; readonly error: NngError; readonly pipe?: PipeInfo };

export type PipeEventListener = (event: PipeEvent) => void;

export abstract class Socket implements AsyncIterable<Buffer> {
  readonly protocol: SocketProtocol;
  private readonly opts: ResolvedOptions;
  /** Open pipes, oldest first. Protocols pick from here. */
  protected readonly pipes: Pipe[] = [];
  private readonly allPipes = new Set<Pipe>();
  private readonly listeners = new Set<Listener>();
  private readonly dialers = new Set<Dialer>();
  private readonly pending = new Set<Deferred<unknown>>();
  private readonly connectWaiters = new Set<Deferred<void>>();
  private readonly eventListeners = new Set<PipeEventListener>();
  private closing: Promise<void> | undefined;
  private roundRobin = 0;
  private readonly host: PipeHost;

  protected constructor(protocol: SocketProtocol, options?: SocketOptions) {
    this.protocol = protocol;
    this.opts = resolveOptions(options);
    this.host = {
      protocol,
      options: this.opts,
      attach: (stream, address, side, watcher) => this.attach(stream, address, side, watcher),
      report: (error, pipe) => this.emit({ type: "error", error, ...(pipe && { pipe }) }),
      refused: (refused) => this.emit({ type: "refused", refused }),
    };
  }

  /** Sends one message. Resolves once a pipe has taken it (not when the peer has it). */
  abstract send(data: Uint8Array | string): Promise<void>;
  /** Receives one message body. */
  abstract recv(): Promise<Buffer>;

  // ---- protocol hooks ------------------------------------------------------------------------

  /** May refuse a freshly opened pipe (PAIR allows one peer). */
  protected acceptPipe(_pipe: Pipe): boolean {
    return true;
  }
  protected abstract pipeAdded(pipe: Pipe): void;
  protected abstract pipeRemoved(pipe: Pipe): void;
  protected abstract pipeMessage(pipe: Pipe, message: Buffer): void;
  /** A pipe that was full can take messages again (also called right after pipeAdded). */
  protected pipeWritable(_pipe: Pipe): void {}
  /** Socket closing: drop protocol timers. Pending operations are rejected by the base. */
  protected protocolClosed(): void {}

  // ---- public API ----------------------------------------------------------------------------

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Number of connected peers (pipes past the header exchange). */
  get pipeCount(): number {
    return this.pipes.length;
  }

  getOption(name: OptionName): number {
    return this.opts[name];
  }

  /** Changes an option. Timeouts apply to operations started afterwards; sizes to new frames. */
  setOption(name: OptionName, value: number): void {
    if (!(name in this.opts)) throw new TypeError(`unknown socket option "${String(name)}"`);
    this.opts[name] = checkOption(name, value);
  }

  /** Listens on `url`; `options.maxPeers` bounds the connections this listener holds at once. */
  async listen(url: string, options: ListenOptions = {}): Promise<Listener> {
    this.assertOpen();
    const maxPeers = checkMaxPeers(options.maxPeers);
    const address = parseUrl(url, "listen", this.protocol);
    const listener = await startListener(
      this.host,
      address,
      () => this.listeners.delete(listener),
      maxPeers,
    );
    if (this.closed) {
      await listener.close();
      throw this.closedError();
    }
    this.listeners.add(listener);
    return listener;
  }

  async dial(url: string, options: DialOptions = {}): Promise<void> {
    this.assertOpen();
    const address = parseUrl(url, "dial", this.protocol);
    const dialer = new Dialer(this.host, address, () => this.dialers.delete(dialer));
    this.dialers.add(dialer);
    try {
      await dialer.start(options.blocking ?? true);
    } catch (err) {
      throw this.closed ? this.closedError() : err;
    }
  }

  /** Resolves when at least one peer is connected; rejects with PORTABLE_E_TIMEOUT after `timeoutMs`. */
  connected(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    if (this.pipes.length > 0) return Promise.resolve();
    const waiter = this.deferred<void>(
      timeoutMs,
      () => new NngError("PORTABLE_E_TIMEOUT", `no peer connected within ${timeoutMs} ms`),
      () => this.connectWaiters.delete(waiter),
    );
    this.connectWaiters.add(waiter);
    return waiter.promise;
  }

  /** Subscribes to pipe events. Returns the unsubscribe function. */
  onPipeEvent(listener: PipeEventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  on(event: "pipe", listener: PipeEventListener): this {
    if (event === "pipe") this.eventListeners.add(listener);
    return this;
  }

  off(event: "pipe", listener: PipeEventListener): this {
    if (event === "pipe") this.eventListeners.delete(listener);
    return this;
  }

  /**
   * Closes listeners (removing ipc files), dialers and pipes, and rejects pending operations
   * with PORTABLE_E_CLOSED. Idempotent; resolves when every file descriptor is released.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = this.shutdown();
    return this.closing;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    while (!this.closed) {
      try {
        yield await this.recv();
      } catch (err) {
        if (NngError.is(err, "PORTABLE_E_CLOSED")) return;
        throw err;
      }
    }
  }

  // ---- helpers for protocols -----------------------------------------------------------------

  protected get options(): Readonly<ResolvedOptions> {
    return this.opts;
  }

  protected assertOpen(): void {
    if (this.closed) throw this.closedError();
  }

  protected closedError(): NngError {
    return new NngError("PORTABLE_E_CLOSED", `${this.protocol} socket is closed`, {
      socket: this.protocol,
    });
  }

  protected error(code: NngError["code"], message: string): NngError {
    return new NngError(code, message, { socket: this.protocol });
  }

  /** A pending operation the socket rejects on close. `onSettle` removes it from its queue. */
  protected deferred<T>(
    timeoutMs: number,
    onTimeout: () => NngError,
    onSettle?: () => void,
  ): Deferred<T> {
    const d = new Deferred<T>(timeoutMs, onTimeout);
    this.pending.add(d as Deferred<unknown>);
    d.onSettle = () => {
      this.pending.delete(d as Deferred<unknown>);
      onSettle?.();
    };
    return d;
  }

  protected timeoutError(op: "send" | "recv", ms: number): NngError {
    return this.error("PORTABLE_E_TIMEOUT", `${op} timed out after ${ms} ms`);
  }

  /** Next open pipe that can take a message, round robin. */
  protected nextWritablePipe(): Pipe | undefined {
    const n = this.pipes.length;
    for (let i = 0; i < n; i++) {
      const index = (this.roundRobin + i) % n;
      const pipe = this.pipes[index];
      if (pipe?.writable) {
        this.roundRobin = (index + 1) % n;
        return pipe;
      }
    }
    return undefined;
  }

  protected static toBuffer(data: Uint8Array | string): Buffer {
    if (typeof data === "string") return Buffer.from(data, "utf8");
    if (Buffer.isBuffer(data)) return data;
    if (data instanceof Uint8Array)
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    throw new TypeError("send() takes a Uint8Array or a string");
  }

  // ---- internals -----------------------------------------------------------------------------

  private emit(event: PipeEvent): void {
    for (const listener of this.eventListeners) {
      try {
        listener(event);
      } catch {
        // A throwing listener must not break the pipe machinery that called it.
      }
    }
  }

  private attach(
    stream: NetSocket,
    address: Address,
    side: "dial" | "listen",
    watcher?: PipeWatcher,
  ): Pipe {
    const pipe = new Pipe(
      stream,
      {
        transport: address.transport,
        url: address.url,
        side,
        self: this.protocol,
        handshakeTimeout: this.opts.handshakeTimeout,
        maxSize: () => this.opts.recvMaxSize,
      },
      {
        opened: (p) => this.pipeOpened(p, watcher),
        message: (p, message) => this.pipeMessage(p, message),
        writable: (p) => this.pipeWritable(p),
        closed: (p, error, wasOpen) => this.pipeClosed(p, error, wasOpen, watcher),
      },
    );
    this.allPipes.add(pipe);
    if (this.closed) pipe.close();
    return pipe;
  }

  private pipeOpened(pipe: Pipe, watcher: PipeWatcher | undefined): void {
    if (this.closed || !this.acceptPipe(pipe)) {
      pipe.close();
      return;
    }
    this.pipes.push(pipe);
    watcher?.opened(pipe);
    this.emit({ type: "added", pipe: pipe.info });
    this.pipeAdded(pipe);
    for (const waiter of this.connectWaiters) waiter.resolve();
    if (pipe.writable) this.pipeWritable(pipe);
  }

  private pipeClosed(
    pipe: Pipe,
    error: NngError | undefined,
    wasOpen: boolean,
    watcher: PipeWatcher | undefined,
  ): void {
    this.allPipes.delete(pipe);
    if (error !== undefined) this.emit({ type: "error", error, pipe: pipe.info });
    const index = this.pipes.indexOf(pipe);
    const accepted = index >= 0;
    if (accepted) {
      this.pipes.splice(index, 1);
      if (this.roundRobin > index) this.roundRobin--;
      this.emit({ type: "removed", pipe: pipe.info, ...(error && { error }) });
      this.pipeRemoved(pipe);
    }
    // The watcher hears "was open" only for pipes the protocol accepted (PAIR may refuse one).
    watcher?.closed(pipe, error, accepted && wasOpen);
  }

  private async shutdown(): Promise<void> {
    const closed = this.closedError();
    this.protocolClosed();
    for (const d of [...this.pending]) d.reject(closed);
    for (const dialer of [...this.dialers]) dialer.close();
    const waits: Promise<void>[] = [];
    for (const listener of [...this.listeners]) waits.push(listener.close());
    for (const pipe of [...this.allPipes]) {
      waits.push(pipe.done);
      pipe.close(undefined, true);
    }
    await Promise.all(waits);
  }
}
