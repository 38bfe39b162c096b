// The host side of an inverted request/reply channel (PROTOCOL.md §1.2, §5.2):
// the host holds the REP socket, so it speaks only as a reply to the
// plugin's current request. Used by the control channel (commands) and the
// function channels (calls). Exchanges run one at a time.
//
// Our REP socket does not expose its receive queue, so the host keeps the
// last request it received as its current one and relies on the first-byte
// rule: a message starting with `h` while waiting for the answer is a fresh
// keepalive handshake, and the same message is sent again as its reply.
//
// One peer per channel: the listener holds one connection and closes any
// other at once (reported to `watch.refused`), so a second process calling
// itself by the same name cannot take the channel over. A connection that
// breaks the wire format (no SP header, a frame over the size limit) is
// reported to `watch.fault`; the peer's connection going away to
// `watch.peerLost`.

import { NngError, type RefusedConnection, RepSocket } from "@portable-plugins/nng";
import { startsLikeHandshake } from "@portable-plugins/protocol";
import type { HostLogger } from "../logger.js";

/** Why an exchange failed without an answer. */
export type ExchangeFailure =
  /** No request to reply to arrived in time: the peer is gone or its channel is dead. */
  | "no-request"
  /** The message went out but no answer came in time. */
  | "no-answer"
  /** The channel was closed (by the host, or because the process exited). */
  | "closed";

export class ExchangeError extends Error {
  override readonly name = "ExchangeError";
  constructor(
    readonly failure: ExchangeFailure,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** What the owner of a channel hears about its connections. */
export interface ChannelWatch {
  /** A connection beyond the first was closed at once. */
  refused?(connection: RefusedConnection): void;
  /** A connection broke the wire format (bad header, oversized frame) and was closed. */
  fault?(error: NngError): void;
  /** The peer's connection went away (the channel has no connection now). */
  peerLost?(): void;
}

/** Wire errors that make a connection a protocol fault rather than an ordinary disconnect. */
const FAULTS = new Set([
  "PORTABLE_E_PROTOCOL",
  "PORTABLE_E_MSG_TOO_LARGE",
  "PORTABLE_E_PEER_PROTOCOL",
]);

/** Whether a pipe error is a protocol fault of the peer (bad header, oversized frame, wrong pattern). */
export function isWireFault(err: NngError): boolean {
  return FAULTS.has(err.code);
}

export class InvertedRep {
  readonly url: string;
  readonly #label: string;
  readonly #rep: RepSocket;
  readonly #logger: HostLogger;
  /** True while the last message received has not been replied to. */
  #current = false;
  #queue: Promise<unknown> = Promise.resolve();
  /** Exchanges started and not yet settled (the running one and those queued behind it). */
  #inFlight = 0;
  #closeReason: Error | undefined;
  /** Keepalive handshakes handled: a message sent again, or a queued one skipped (for tests and logs). */
  resends = 0;
  /**
   * Checks every keepalive (a message starting with `h`) once the version is
   * agreed (§10.4): an Error closes the channel with it and fails the exchange.
   */
  versionGuard: ((message: Buffer) => Error | undefined) | undefined;

  constructor(
    url: string,
    label: string,
    logger: HostLogger,
    maxMessageBytes: number,
    watch: ChannelWatch = {},
  ) {
    this.url = url;
    this.#label = label;
    this.#logger = logger;
    this.#rep = new RepSocket({ recvMaxSize: maxMessageBytes });
    this.#rep.onPipeEvent((e) => {
      if (e.type === "removed" && this.#rep.pipeCount === 0) {
        // A request whose connection is gone can no longer be answered (the REP
        // would drop the reply): wait for the next request instead, which a
        // reconnecting REQ sends at once and a dead channel never does.
        this.#current = false;
        if (!this.#rep.closed) watch.peerLost?.();
      } else if (e.type === "refused") {
        watch.refused?.(e.refused);
      } else if (e.type === "error" && isWireFault(e.error) && !this.#rep.closed) {
        watch.fault?.(e.error);
      }
    });
  }

  /** Listens (replacing a stale socket file; failing on a live one, §2.6); one peer at a time. */
  async listen(): Promise<void> {
    await this.#rep.listen(this.url, { maxPeers: 1 });
  }

  get closed(): boolean {
    return this.#rep.closed;
  }

  /** Open connections (0 or 1). */
  get peers(): number {
    return this.#rep.pipeCount;
  }

  /** Why the channel was closed, when it was closed with a reason. */
  get closeReason(): Error | undefined {
    return this.#closeReason;
  }

  /**
   * Waits for the first request of a new connection (any content is taken as
   * the handshake, §4.2.1). Resolves with it; it becomes the current request.
   */
  first(timeoutMs: number): Promise<Buffer> {
    return this.#serial(async () => {
      const message = await this.#recv(Date.now() + timeoutMs, "no-request");
      this.#current = true;
      return message;
    });
  }

  /**
   * Sends `message` as the reply to the current request and returns the
   * answer, re-sending on every keepalive, all within `timeoutMs` (§5.2).
   */
  exchange(message: Buffer, timeoutMs: number): Promise<Buffer> {
    return this.#serial(async () => {
      const deadline = Date.now() + timeoutMs;
      if (!this.#current) {
        // The last exchange timed out: the next request is a keepalive or a
        // late answer to it; either way we reply to it, and drop a late answer.
        this.#stale(await this.#recv(deadline, "no-request"));
        this.#current = true;
      }
      // Keepalives that queued while the channel was idle: the peer's REQ
      // waits only on its newest request, so reply to that one (§5.2).
      for (let queued = this.#rep.tryRecv(); queued !== undefined; queued = this.#rep.tryRecv()) {
        this.#stale(queued);
      }
      for (;;) {
        this.#current = false;
        await this.#send(message);
        const answer = await this.#recv(deadline, "no-answer");
        this.#current = true;
        if (!startsLikeHandshake(answer)) return answer;
        this.#guard(answer);
        this.resends++;
      }
    });
  }

  /** A request that is not the answer to this exchange: a keepalive (counted) or a late answer (logged). */
  #stale(message: Buffer): void {
    if (startsLikeHandshake(message)) {
      this.#guard(message);
      this.resends++;
    } else this.#logger.warn(`${this.#label}: discarding a late answer ${preview(message)}`);
  }

  /** A handshake of another form than the agreed one: close with the guard's error (§10.4). */
  #guard(message: Buffer): void {
    const error = this.versionGuard?.(message);
    if (error === undefined) return;
    void this.close(error);
    throw new ExchangeError("closed", error.message, { cause: error });
  }

  /** Closes the socket (unlinking its file); pending and later exchanges fail with `reason`. */
  async close(reason?: Error): Promise<void> {
    this.#closeReason ??= reason;
    this.#current = false;
    await this.#rep.close();
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    // Idle (the usual case): start now rather than one promise hop later.
    const next = this.#inFlight === 0 ? op() : this.#queue.then(op, op);
    this.#inFlight++;
    const done = () => {
      this.#inFlight--;
    };
    this.#queue = next.then(done, done);
    return next;
  }

  async #send(message: Buffer): Promise<void> {
    try {
      await this.#rep.send(message);
    } catch (err) {
      throw this.#failure(err, "no-request");
    }
  }

  async #recv(deadline: number, onTimeout: ExchangeFailure): Promise<Buffer> {
    if (this.#rep.closed) throw this.#failure(undefined, onTimeout);
    this.#rep.setOption("recvTimeout", Math.max(1, deadline - Date.now()));
    try {
      return await this.#rep.recv();
    } catch (err) {
      throw this.#failure(err, onTimeout);
    }
  }

  #failure(err: unknown, onTimeout: ExchangeFailure): ExchangeError {
    if (this.#rep.closed || NngError.is(err, "PORTABLE_E_CLOSED")) {
      const reason = this.#closeReason;
      return new ExchangeError("closed", reason?.message ?? "channel closed", {
        cause: reason ?? err,
      });
    }
    if (NngError.is(err, "PORTABLE_E_TIMEOUT")) {
      return new ExchangeError(onTimeout, (err as Error).message, { cause: err });
    }
    return new ExchangeError("closed", (err as Error).message, { cause: err });
  }
}

/** At most 120 characters of a message, for logs. */
export function preview(message: Buffer): string {
  const text = message.toString("utf8");
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
