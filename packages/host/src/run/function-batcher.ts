// Version-2 function channel, host side (PROTOCOL.md §12.3): calls from any
// number of callers wait in one queue; whenever the channel has a request to
// reply to, everything queued (up to the limits) goes out as one CallBatchV2,
// and the ReplyBatchV2 resolves each caller. One batch in flight at a time;
// a call is never delayed to fill a batch. Per-call errors become
// FunctionCallError (code and class of §12.6); a batch-level failure (no
// reply, an undecodable or mismatched reply batch, a batch error) fails every
// call of the batch.

import {
  type CallV2,
  decodeReplyBatch,
  type ErrorClass,
  encodeCallBatch,
  type JsonValue,
  matchReplies,
  type ReplyV2,
  V2_LIMITS,
} from "@portable-plugins/protocol";
import { HostError, type HostErrorContext, hostCodeFor, remoteErrorText } from "../errors.js";

/** RECOMMENDED maximum of calls per batch (§12.3). */
export const HOST_MAX_CALLS_PER_BATCH = 256;

/**
 * A call the plugin answered with a typed error (§12.6): a HostError whose
 * `remoteCode` and `errorClass` (context fields of every HostError) are always set.
 */
export class FunctionCallError extends HostError {
  /** The code the plugin sent (a code of the one list, possibly one this host does not know). */
  declare readonly remoteCode: string;
  /** What to do about it: RETRYABLE, BACKOFF or FATAL. */
  declare readonly errorClass: ErrorClass;
  constructor(
    remoteCode: string,
    errorClass: ErrorClass,
    message: string,
    context: HostErrorContext,
  ) {
    super(hostCodeFor(remoteCode, "PORTABLE_E_FUNCTION"), message, {
      ...context,
      remoteCode,
      errorClass,
    });
  }
}

export type CallRequest = Omit<CallV2, "id">;

interface Pending {
  readonly call: CallRequest;
  readonly resolve: (reply: ReplyV2) => void;
  readonly reject: (err: unknown) => void;
}

/** Sends a batch and returns the raw reply (InvertedRep.exchange with the call timeout). */
export type BatchExchange = (body: Buffer, calls: number) => Promise<Buffer>;

export class FunctionBatcher {
  readonly #exchange: BatchExchange;
  readonly #describe: (detail: string) => HostError;
  #queue: Pending[] = [];
  #running = false;
  #nextId = 1;
  /** Batches sent and the calls they held. */
  readonly stats = { batches: 0, calls: 0 };

  constructor(exchange: BatchExchange, describe: (detail: string) => HostError) {
    this.#exchange = exchange;
    this.#describe = describe;
  }

  /** Queues `calls` together (in order) and resolves with their replies, in the same order. */
  submit(calls: readonly CallRequest[]): Promise<ReplyV2>[] {
    const out = calls.map(
      (call) =>
        new Promise<ReplyV2>((resolve, reject) => this.#queue.push({ call, resolve, reject })),
    );
    if (!this.#running) {
      // Started on a microtask, not later: callers in the same tick (an
      // await-all of 16 execs) share the first batch; no call waits for time.
      this.#running = true;
      queueMicrotask(() => void this.#pump());
    }
    return out;
  }

  async #pump(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        let take = Math.min(
          this.#queue.length,
          HOST_MAX_CALLS_PER_BATCH,
          V2_LIMITS.maxCallsPerBatch,
        );
        let batch = this.#queue.slice(0, take);
        let calls = batch.map((p) => withId(p.call, this.#id()));
        let body: Buffer | undefined;
        for (;;) {
          try {
            body = encodeCallBatch(calls);
            break;
          } catch (err) {
            if (take > 1) {
              // Over the byte limit, or a call that cannot be encoded (NaN in
              // its arguments, say): send fewer until the culprit is alone (§12.2).
              take = Math.ceil(take / 2);
              batch = batch.slice(0, take);
              calls = calls.slice(0, take);
              continue;
            }
            // This call cannot be sent at all: it fails alone.
            this.#queue.shift()?.reject(HostError.from(err, "PORTABLE_E_FUNCTION", {}));
            body = undefined;
            break;
          }
        }
        if (body === undefined) continue;
        this.#queue.splice(0, take);
        this.stats.batches++;
        this.stats.calls += take;
        await this.#send(body, calls, batch);
      }
    } finally {
      this.#running = false;
    }
  }

  async #send(body: Buffer, calls: readonly CallV2[], batch: readonly Pending[]): Promise<void> {
    let replies: ReplyV2[];
    try {
      const raw = await this.#exchange(body, calls.length);
      try {
        replies = matchReplies(
          calls.map((c) => c.id),
          decodeReplyBatch(raw),
        );
      } catch (cause) {
        const e = this.#describe(`reply batch refused: ${(cause as Error).message}`);
        throw new HostError("PORTABLE_E_CHANNEL", e.message, { ...e.context, cause });
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, r] of replies.entries()) batch[i]?.resolve(r);
  }

  #id(): number {
    const id = this.#nextId;
    this.#nextId = id >= 0xffffffff ? 1 : id + 1;
    return id;
  }
}

/**
 * The call with its id, built field by field: an object spread per call
 * here was a third of the host's time per call in a batch (measured).
 */
function withId(c: CallRequest, id: number): CallV2 {
  return c.context === undefined
    ? { id, kind: c.kind, args: c.args }
    : { id, kind: c.kind, args: c.args, context: c.context };
}

/** The call's value, or its typed error. */
export function replyValue(reply: ReplyV2, context: HostErrorContext, what: string): JsonValue {
  const e = reply.error;
  if (e === undefined) return reply.result;
  throw new FunctionCallError(
    e.code,
    e.class,
    remoteErrorText(what, hostCodeFor(e.code, "PORTABLE_E_FUNCTION"), e),
    context,
  );
}
