// PULL (pull0): receives messages from any number of PUSH peers, fair-queued across them.
// Cannot send. A slow consumer pauses reading, which back-pressures the pushers.
import type { SocketOptions } from "./options.js";
import type { Pipe } from "./pipe.js";
import { RecvQueue } from "./recv-queue.js";
import { Socket } from "./socket.js";

export class PullSocket extends Socket {
  private readonly queue = new RecvQueue<Buffer>((message) => message.length);

  constructor(options?: SocketOptions) {
    super("pull", options);
  }

  send(_data: Uint8Array | string): Promise<void> {
    return Promise.reject(
      this.error("PORTABLE_E_PROTO_STATE", "a pull socket cannot send (use a push socket)"),
    );
  }

  recv(): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closedError());
    const queued = this.queue.take();
    if (queued !== undefined) return Promise.resolve(queued);
    const timeout = this.options.recvTimeout;
    const waiter = this.deferred<Buffer>(timeout, () => this.timeoutError("recv", timeout));
    this.queue.wait(waiter);
    return waiter.promise;
  }

  /**
   * A message already received, or undefined: never waits. Lets a consumer
   * drain what has arrived without a promise per message.
   */
  tryRecv(): Buffer | undefined {
    if (this.closed) return undefined;
    return this.queue.take();
  }

  /**
   * Messages and bytes received and not yet taken. Reading from a pipe
   * pauses at PIPE_QUEUE_MESSAGES or PIPE_QUEUE_BYTES queued from it.
   */
  queued(): { messages: number; bytes: number } {
    return this.queue.queued();
  }

  protected pipeAdded(): void {}
  // Messages already received from a pipe that closed are still delivered.
  protected pipeRemoved(): void {}
  protected pipeMessage(pipe: Pipe, message: Buffer): void {
    this.queue.deliver(pipe, message);
  }
}
