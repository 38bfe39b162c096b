// REP (rep0): receives requests from REQ peers and sends each reply back along the path the
// request came (sp-request-reply-01). The backtrace (hop words, then the request id with its
// high bit set) is kept from recv to send and written back byte for byte.
import { NngError } from "./errors.js";
import type { SocketOptions } from "./options.js";
import type { Pipe } from "./pipe.js";
import { RecvQueue } from "./recv-queue.js";
import { Socket } from "./socket.js";

/** Most backtrace words a request may carry (NNG's default max TTL): more is dropped. */
export const MAX_HOPS = 8;

interface Request {
  readonly pipe: Pipe;
  readonly backtrace: Buffer;
  readonly body: Buffer;
}

export class RepSocket extends Socket {
  private readonly queue = new RecvQueue<Request>((r) => r.backtrace.length + r.body.length);
  /** The request the next send answers: the one recv returned last. */
  private current: Request | undefined;

  constructor(options?: SocketOptions) {
    super("rep", options);
  }

  async recv(): Promise<Buffer> {
    if (this.closed) throw this.closedError();
    // A new recv abandons the request not yet answered, as in NNG.
    this.current = undefined;
    let request = this.queue.take();
    if (request === undefined) {
      const timeout = this.options.recvTimeout;
      const waiter = this.deferred<Request>(timeout, () => this.timeoutError("recv", timeout));
      this.queue.wait(waiter);
      request = await waiter.promise;
    }
    this.current = request;
    return request.body;
  }

  /**
   * A request already received, or undefined: never waits. When there is one
   * it becomes the request the next send answers, as after recv; when there is
   * none, the current request stays current. Lets a responder skip requests
   * its peer has abandoned (a REQ keeps only its newest one outstanding).
   */
  tryRecv(): Buffer | undefined {
    if (this.closed) return undefined;
    const request = this.queue.take();
    if (request === undefined) return undefined;
    this.current = request;
    return request.body;
  }

  /**
   * Replies to the request recv returned last. If that request's pipe has closed meanwhile, the
   * reply is dropped silently (the REQ side resends elsewhere). The reply is written at once:
   * replies are one per request, so Node's stream buffer bounds them.
   */
  send(data: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    const request = this.current;
    if (request === undefined) {
      return Promise.reject(
        this.error(
          "PORTABLE_E_PROTO_STATE",
          "no request to reply to: a rep socket sends only after recv() returned a request",
        ),
      );
    }
    this.current = undefined;
    request.pipe.send([request.backtrace, Socket.toBuffer(data)]);
    return Promise.resolve();
  }

  protected pipeAdded(): void {}

  protected pipeRemoved(pipe: Pipe): void {
    this.queue.dropPipe(pipe);
  }

  protected pipeMessage(pipe: Pipe, message: Buffer): void {
    // Move 32-bit words into the backtrace until one has the high bit set (the request id).
    let end = 0;
    for (let hops = 1; ; hops++) {
      if (hops > MAX_HOPS) return; // too many hops: drop, but keep the pipe (devices do this)
      if (message.length - end < 4) {
        // No request id at all: the peer is not speaking REQ. NNG disconnects it.
        pipe.close(
          new NngError(
            "PORTABLE_E_PROTOCOL",
            "request carries no request id (malformed backtrace)",
          ),
        );
        return;
      }
      const last = ((message[end] as number) & 0x80) !== 0;
      end += 4;
      if (last) break;
    }
    this.queue.deliver(pipe, {
      pipe,
      backtrace: message.subarray(0, end),
      body: message.subarray(end),
    });
  }
}
