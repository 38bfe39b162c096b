// REQ (req0): sends a request to one REP peer and waits for the matching reply
// (sp-request-reply-01). Each request carries a 32-bit id with the high bit set; a reply is
// matched by that id. Unanswered requests are resent after resendTime, and at once when the
// pipe they went out on dies. One request is outstanding at a time: a new send cancels it.
import { randomInt } from "node:crypto";
import type { Deferred } from "./deferred.js";
import { NngError } from "./errors.js";
import type { SocketOptions } from "./options.js";
import type { Pipe } from "./pipe.js";
import { Socket } from "./socket.js";

interface Request {
  readonly id: number;
  /** The 4-byte request id, big-endian: the whole REQ protocol header. */
  readonly header: Buffer;
  readonly body: Buffer;
  /** Must go out (again) as soon as a pipe can take it. */
  unsent: boolean;
  /** The pipe the latest copy went out on. */
  pipe: Pipe | undefined;
  reply: Buffer | undefined;
  sendWaiter: Deferred<void> | undefined;
  recvWaiter: Deferred<Buffer> | undefined;
  resendTimer: NodeJS.Timeout | undefined;
}

export class ReqSocket extends Socket {
  /** Next request id; always has the high bit set (bit 31 marks the end of a backtrace). */
  private nextId = (randomInt(0, 0x8000_0000) | 0x8000_0000) >>> 0;
  private request: Request | undefined;

  constructor(options?: SocketOptions) {
    super("req", options);
  }

  /**
   * Sends a request. Resolves once it is on a pipe; with no peer, waits up to sendTimeout (the
   * request is then abandoned). Cancels the previous request: its pending recv rejects with
   * PORTABLE_E_CANCELLED.
   */
  send(data: Uint8Array | string): Promise<void> {
    if (this.closed) return Promise.reject(this.closedError());
    const body = Socket.toBuffer(data);
    if (this.request !== undefined) {
      this.abandon(
        this.request,
        this.error("PORTABLE_E_CANCELLED", "request cancelled: a newer request was sent"),
      );
    }
    const id = this.nextId;
    this.nextId = ((this.nextId + 1) | 0x8000_0000) >>> 0;
    const header = Buffer.allocUnsafe(4);
    header.writeUInt32BE(id, 0);
    const request: Request = {
      id,
      header,
      body,
      unsent: true,
      pipe: undefined,
      reply: undefined,
      sendWaiter: undefined,
      recvWaiter: undefined,
      resendTimer: undefined,
    };
    this.request = request;
    this.flush();
    if (!request.unsent) return Promise.resolve();
    const timeout = this.options.sendTimeout;
    const waiter = this.deferred<void>(
      timeout,
      () => {
        const error = this.timeoutError("send", timeout);
        this.abandon(request, error);
        return error;
      },
      () => {
        request.sendWaiter = undefined;
      },
    );
    request.sendWaiter = waiter;
    return waiter.promise;
  }

  /**
   * Waits for the reply to the outstanding request. PORTABLE_E_PROTO_STATE without one. A recv
   * timeout abandons the request (as NNG does): a later recv needs a new send.
   */
  recv(): Promise<Buffer> {
    if (this.closed) return Promise.reject(this.closedError());
    const request = this.request;
    if (request === undefined) {
      return Promise.reject(
        this.error("PORTABLE_E_PROTO_STATE", "no request outstanding: send() a request first"),
      );
    }
    if (request.reply !== undefined) {
      this.request = undefined;
      return Promise.resolve(request.reply);
    }
    if (request.recvWaiter !== undefined) {
      return Promise.reject(
        this.error("PORTABLE_E_PROTO_STATE", "a recv() is already waiting for this reply"),
      );
    }
    const timeout = this.options.recvTimeout;
    const waiter = this.deferred<Buffer>(
      timeout,
      () => {
        const error = this.timeoutError("recv", timeout);
        this.abandon(request, error);
        return error;
      },
      () => {
        request.recvWaiter = undefined;
      },
    );
    request.recvWaiter = waiter;
    return waiter.promise;
  }

  protected pipeAdded(): void {}

  protected pipeRemoved(pipe: Pipe): void {
    const request = this.request;
    // The copy on the dead pipe is lost: resend now rather than after resendTime.
    if (request?.pipe === pipe && request.reply === undefined && !this.closed) {
      this.clearResend(request);
      request.unsent = true;
      request.pipe = undefined;
      this.flush();
    }
  }

  protected override pipeWritable(): void {
    this.flush();
  }

  protected pipeMessage(pipe: Pipe, message: Buffer): void {
    if (message.length < 4) {
      // Not even a request id: not a REP speaking to us. NNG disconnects such a peer.
      pipe.close(new NngError("PORTABLE_E_PROTOCOL", "reply carries no request id"));
      return;
    }
    const request = this.request;
    // Replies to cancelled, abandoned or already answered requests are dropped.
    if (request === undefined || request.reply !== undefined) return;
    if (message.readUInt32BE(0) !== request.id) return;
    this.clearResend(request);
    request.unsent = false;
    const body = message.subarray(4);
    if (request.recvWaiter !== undefined) {
      this.request = undefined;
      request.recvWaiter.resolve(body);
    } else {
      request.reply = body;
    }
  }

  protected override protocolClosed(): void {
    if (this.request !== undefined) this.clearResend(this.request);
    this.request = undefined;
  }

  /** Puts the outstanding request on a pipe if it needs to go out and one can take it. */
  private flush(): void {
    const request = this.request;
    if (request === undefined || !request.unsent) return;
    const pipe = this.nextWritablePipe();
    if (pipe === undefined) return;
    request.unsent = false;
    request.pipe = pipe;
    pipe.send([request.header, request.body]);
    request.sendWaiter?.resolve();
    const resend = this.options.resendTime;
    if (resend > 0 && resend < 0x7fff_ffff) {
      request.resendTimer = setTimeout(() => {
        request.resendTimer = undefined;
        if (this.request !== request || request.reply !== undefined) return;
        request.unsent = true;
        this.flush();
      }, resend);
    }
  }

  private abandon(request: Request, error: NngError): void {
    if (this.request === request) this.request = undefined;
    this.clearResend(request);
    request.sendWaiter?.reject(error);
    request.recvWaiter?.reject(error);
  }

  private clearResend(request: Request): void {
    if (request.resendTimer !== undefined) clearTimeout(request.resendTimer);
    request.resendTimer = undefined;
  }
}
