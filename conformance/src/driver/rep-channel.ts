// The host end of an inverted request/reply channel (PROTOCOL.md §1.2, §5.2):
// control and function channels. The plugin holds REQ, so the suite speaks
// only as the reply to the plugin's current request. Unlike a host, the
// driver records every message in the transcript and does not loop on an
// answer that merely STARTS with "h": only a real handshake (`handshake`,
// `handshake v=N`, §4.2.1, §10.3) is a keepalive; any other text starting
// with "h" is returned, so the suite can report the §4.2.3 violation instead
// of re-sending forever as the reference host would.

import { NngError, RepSocket } from "@portable-plugins/nng";
import { parseHandshake } from "@portable-plugins/protocol";
import type { Transcript } from "./transcript.js";

export type ExchangeFailure =
  /** No request to reply to arrived in time. */
  | "no-request"
  /** The reply went out, no answer came in time. */
  | "no-answer"
  /** The plugin process ended while the suite waited. */
  | "exited"
  /** The channel was closed by the suite. */
  | "closed";

export class ExchangeError extends Error {
  override readonly name = "ExchangeError";
  constructor(
    readonly failure: ExchangeFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ExchangeResult {
  readonly answer: Buffer;
  /** Keepalive handshakes received (and answered by sending the message again) meanwhile. */
  readonly keepalives: number;
}

/** Resolves with a reason when the plugin process ends; the driver stops waiting then. */
export type StopSignal = Promise<string>;

export class RepChannel {
  readonly url: string;
  readonly label: string;
  readonly #rep = new RepSocket({ recvMaxSize: 0 });
  readonly #transcript: Transcript;
  /** The one receive in flight on the socket; kept across timeouts so no message is lost. */
  #pending: Promise<Buffer> | undefined;
  /** True while the last request received has not been replied to. */
  #current = false;
  #peers = 0;
  /** Most connections seen at once (two dialers on one function channel, §9.3 Q17). */
  maxPeers = 0;

  constructor(url: string, label: string, transcript: Transcript) {
    this.url = url;
    this.label = label;
    this.#transcript = transcript;
    this.#rep.onPipeEvent((e) => {
      if (e.type === "added") {
        this.#peers++;
        this.maxPeers = Math.max(this.maxPeers, this.#peers);
        transcript.event(label, "plugin connected");
      } else if (e.type === "removed") {
        this.#peers--;
        transcript.event(label, "plugin disconnected");
      }
    });
  }

  async listen(): Promise<void> {
    await this.#rep.listen(this.url);
  }

  get peers(): number {
    return this.#peers;
  }

  get closed(): boolean {
    return this.#rep.closed;
  }

  /** A new process will connect: forget the request of the old one. */
  reset(): void {
    this.#current = false;
  }

  /** The first request of a connection; any content counts as the handshake (§4.2.1). */
  async first(timeoutMs: number, stop?: StopSignal): Promise<Buffer> {
    const message = await this.#recv(Date.now() + timeoutMs, "no-request", stop);
    this.#current = true;
    return message;
  }

  /**
   * Sends `message` as the reply to the current request and returns the answer,
   * sending it again after every keepalive handshake, within `timeoutMs` (§5.2).
   */
  async exchange(message: Buffer, timeoutMs: number, stop?: StopSignal): Promise<ExchangeResult> {
    const deadline = Date.now() + timeoutMs;
    let keepalives = 0;
    if (!this.#current) {
      // The previous exchange timed out: the next request is a keepalive or a late answer.
      const stale = await this.#recv(deadline, "no-request", stop);
      this.#current = true;
      if (parseHandshake(stale) === undefined)
        this.#transcript.event(this.label, "late answer discarded");
    }
    for (;;) {
      this.#current = false;
      try {
        await this.#rep.send(message);
      } catch (err) {
        throw this.#failure(err, "no-request");
      }
      this.#transcript.sent(this.label, message);
      const answer = await this.#recv(deadline, "no-answer", stop);
      this.#current = true;
      if (parseHandshake(answer) === undefined) return { answer, keepalives };
      keepalives++;
    }
  }

  async close(): Promise<void> {
    this.#current = false;
    await this.#rep.close();
  }

  #recv(deadline: number, onTimeout: ExchangeFailure, stop?: StopSignal): Promise<Buffer> {
    if (this.#rep.closed) return Promise.reject(new ExchangeError("closed", "channel closed"));
    if (!this.#pending) {
      const p = this.#rep.recv().then((m) => {
        this.#transcript.received(this.label, m);
        return m;
      });
      p.catch(() => undefined);
      this.#pending = p;
    }
    const pending = this.#pending;
    return new Promise<Buffer>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void): boolean => {
        if (settled) return false;
        settled = true;
        clearTimeout(timer);
        fn();
        return true;
      };
      const timer = setTimeout(
        () =>
          settle(() =>
            reject(
              new ExchangeError(
                onTimeout,
                onTimeout === "no-answer" ? "no answer in time" : "no request in time",
              ),
            ),
          ),
        Math.max(0, deadline - Date.now()),
      );
      stop?.then((why) => settle(() => reject(new ExchangeError("exited", `the plugin ${why}`))));
      // A message that arrives after a timeout stays pending for the next receive.
      pending.then(
        (m) => {
          if (settle(() => resolve(m)) && this.#pending === pending) this.#pending = undefined;
        },
        (err: unknown) => {
          if (this.#pending === pending) this.#pending = undefined;
          settle(() => reject(this.#failure(err, "closed")));
        },
      );
    });
  }

  #failure(err: unknown, fallback: ExchangeFailure): ExchangeError {
    if (this.#rep.closed || NngError.is(err, "PORTABLE_E_CLOSED")) {
      return new ExchangeError("closed", "channel closed");
    }
    return new ExchangeError(fallback, err instanceof Error ? err.message : String(err));
  }
}
