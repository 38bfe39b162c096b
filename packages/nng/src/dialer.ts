// Dialers: connect to a URL, hand the stream to the socket as a pipe, and reconnect whenever
// that pipe closes or an attempt fails, waiting reconnectTime, doubling up to reconnectMaxTime.
import { connect } from "node:net";
import { NngError } from "./errors.js";
import { mapOsError } from "./os-errors.js";
import type { PipeHost } from "./pipe-host.js";
import type { Address } from "./url.js";

/** Why an attempt failed, and whether the pipe already reported it as a pipe event. */
interface AttemptFailure {
  error: NngError;
  reported: boolean;
}

export class Dialer {
  private readonly host: PipeHost;
  private readonly address: Address;
  private readonly onClosed: () => void;
  private closed = false;
  /** Cancels the connect in progress, if any (socket closing). */
  private abort: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private backoff: number;

  constructor(host: PipeHost, address: Address, onClosed: () => void) {
    this.host = host;
    this.address = address;
    this.onClosed = onClosed;
    this.backoff = host.options.reconnectTime;
  }

  /** See DialOptions.blocking. A failed blocking dial leaves no dialer behind. */
  async start(blocking: boolean): Promise<void> {
    if (!blocking) {
      void this.attempt();
      return;
    }
    try {
      await this.connectOnce();
    } catch (failure) {
      this.close();
      throw (failure as AttemptFailure).error;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.abort?.();
    this.abort = undefined;
    this.onClosed();
  }

  private async attempt(): Promise<void> {
    if (this.closed) return;
    try {
      await this.connectOnce();
    } catch (failure) {
      if (this.closed) return;
      const { error, reported } = failure as AttemptFailure;
      if (!reported) this.host.report(error);
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.closed || this.timer !== undefined) return;
    const delay = this.backoff;
    const max = this.host.options.reconnectMaxTime;
    if (max > 0) this.backoff = Math.min(Math.max(this.backoff * 2, 1), max);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.attempt();
    }, delay);
  }

  /**
   * One connection attempt. Resolves when the pipe is open (header exchanged, peer protocol
   * right); rejects with an AttemptFailure otherwise. Once open, the pipe closing schedules
   * the next attempt.
   */
  private connectOnce(): Promise<void> {
    const { host, address } = this;
    return new Promise<void>((resolve, reject) => {
      const stream =
        address.transport === "ipc"
          ? connect({ path: address.path })
          : connect({ host: address.host ?? "localhost", port: address.port });
      this.abort = () => {
        stream.destroy();
        reject({ error: closedError(address.url, host.protocol), reported: true });
      };
      const onError = (err: Error) => {
        this.abort = undefined;
        stream.destroy();
        reject({ error: mapOsError(err, "dial", address.url, host.protocol), reported: false });
      };
      stream.once("error", onError);
      stream.once("connect", () => {
        stream.off("error", onError);
        this.abort = undefined;
        if (this.closed) {
          stream.destroy();
          reject({ error: closedError(address.url, host.protocol), reported: false });
          return;
        }
        host.attach(stream, address, "dial", {
          opened: () => {
            this.backoff = host.options.reconnectTime;
            resolve();
          },
          closed: (_pipe, error, wasOpen) => {
            if (wasOpen) {
              this.scheduleReconnect();
              return;
            }
            const failure = error ?? closedError(address.url, host.protocol);
            // A refused pipe (PAIR already has a peer, socket closing) reports no error.
            reject({ error: failure, reported: error !== undefined });
          },
        });
      });
    });
  }
}

function closedError(url: string, socket: string): NngError {
  return new NngError("PORTABLE_E_CONNECT", `connection to ${url} closed before it was usable`, {
    url,
    socket,
  });
}
