// PAIR v0 (pair0): one peer at a time, messages both ways. A second peer that connects while
// one is attached is disconnected at once, as NNG does.
import type { SocketOptions } from "./options.js";
import type { Pipe } from "./pipe.js";
import { RecvQueue } from "./recv-queue.js";
import { SendQueue } from "./send-queue.js";
import { Socket } from "./socket.js";

export class PairSocket extends Socket {
  private readonly outbound = new SendQueue(() => this.nextWritablePipe());
  private readonly inbound = new RecvQueue<Buffer>((message) => message.length);

  constructor(options?: SocketOptions) {
    super("pair0", options);
  }

  send(data: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    const body = Socket.toBuffer(data);
    const timeout = this.options.sendTimeout;
    return this.outbound.send(body, () =>
      this.deferred<void>(timeout, () => this.timeoutError("send", timeout)),
    );
  }

  recv(): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closedError());
    const queued = this.inbound.take();
    if (queued !== undefined) return Promise.resolve(queued);
    const timeout = this.options.recvTimeout;
    const waiter = this.deferred<Buffer>(timeout, () => this.timeoutError("recv", timeout));
    this.inbound.wait(waiter);
    return waiter.promise;
  }

  protected override acceptPipe(): boolean {
    return this.pipes.length === 0;
  }
  protected pipeAdded(): void {}
  protected pipeRemoved(): void {}
  protected pipeMessage(pipe: Pipe, message: Buffer): void {
    this.inbound.deliver(pipe, message);
  }
  protected override pipeWritable(): void {
    this.outbound.drain();
  }
}
