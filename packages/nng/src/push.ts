// PUSH (push0): sends each message to one PULL peer, round robin over peers ready to take it;
// waits (until sendTimeout) when none is. Receives nothing; whatever a peer sends is dropped.
import type { SocketOptions } from "./options.js";
import type { Pipe } from "./pipe.js";
import { SendQueue } from "./send-queue.js";
import { Socket } from "./socket.js";

export class PushSocket extends Socket {
  private readonly queue = new SendQueue(() => this.nextWritablePipe());

  constructor(options?: SocketOptions) {
    super("push", options);
  }

  send(data: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    const body = Socket.toBuffer(data);
    const timeout = this.options.sendTimeout;
    return this.queue.send(body, () =>
      this.deferred<void>(timeout, () => this.timeoutError("send", timeout)),
    );
  }

  /**
   * Sends without waiting: true when a peer's pipe took the message now (as
   * a `send` that would resolve at once), false when `send` would have to
   * wait (no peer ready, or earlier sends waiting). For producers that emit
   * in a tight loop and want no promise per message.
   */
  trySend(data: Uint8Array | string): boolean {
    if (this.closed) return false;
    return this.queue.trySend(Socket.toBuffer(data));
  }

  recv(): Promise<Buffer> {
    return Promise.reject(
      this.error("PORTABLE_E_PROTO_STATE", "a push socket cannot receive (use a pull socket)"),
    );
  }

  protected pipeAdded(): void {}
  protected pipeRemoved(): void {}
  protected pipeMessage(): void {}
  protected override pipeWritable(_pipe: Pipe): void {
    this.queue.drain();
  }
}
