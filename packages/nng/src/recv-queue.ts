// Fair queueing of received messages across pipes (PULL, REP, PAIR): each pipe has its own
// small queue and receivers take from pipes in turn, so one chatty peer cannot starve the
// others. A full per-pipe queue pauses reading from that pipe, which pushes back on the peer.
import type { Deferred } from "./deferred.js";
import type { Pipe } from "./pipe.js";

/** Per-pipe limits before reading pauses. NNG holds 1 message per pipe; mangos 128 per socket. */
export const PIPE_QUEUE_MESSAGES = 64;
export const PIPE_QUEUE_BYTES = 4 * 1024 * 1024;

interface PipeQueue<T> {
  readonly pipe: Pipe;
  readonly items: T[];
  head: number;
  bytes: number;
}

export class RecvQueue<T> {
  private readonly queues: PipeQueue<T>[] = [];
  private turn = 0;
  private readonly waiters: Deferred<T>[] = [];
  private readonly sizeOf: (item: T) => number;

  constructor(sizeOf: (item: T) => number) {
    this.sizeOf = sizeOf;
  }

  /** A message arrived: give it to the oldest waiting receiver, or queue it. */
  deliver(pipe: Pipe, item: T): void {
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      waiter.resolve(item);
      return;
    }
    let queue = this.queues.find((q) => q.pipe === pipe);
    if (queue === undefined) {
      queue = { pipe, items: [], head: 0, bytes: 0 };
      this.queues.push(queue);
    }
    queue.items.push(item);
    queue.bytes += this.sizeOf(item);
    if (queue.items.length - queue.head >= PIPE_QUEUE_MESSAGES || queue.bytes >= PIPE_QUEUE_BYTES) {
      pipe.pause();
    }
  }

  /** Takes the next message in fair order, if any is queued. */
  take(): T | undefined {
    const n = this.queues.length;
    for (let i = 0; i < n; i++) {
      const index = (this.turn + i) % n;
      const queue = this.queues[index];
      if (queue === undefined || queue.head >= queue.items.length) continue;
      const item = queue.items[queue.head] as T;
      queue.items[queue.head] = undefined as T; // release the reference
      queue.head++;
      queue.bytes -= this.sizeOf(item);
      const left = queue.items.length - queue.head;
      if (left === 0) {
        this.queues.splice(index, 1);
        this.turn = n > 1 ? index % (n - 1) : 0;
      } else {
        this.turn = (index + 1) % n;
        if (queue.head >= 1024 && queue.head * 2 >= queue.items.length) {
          queue.items.splice(0, queue.head);
          queue.head = 0;
        }
      }
      // Last, because resuming may deliver more messages synchronously. Resuming at half full
      // rather than at once avoids pausing and resuming the stream on every message.
      if (left < PIPE_QUEUE_MESSAGES / 2 && queue.bytes < PIPE_QUEUE_BYTES / 2) {
        queue.pipe.resume();
      }
      return item;
    }
    return undefined;
  }

  /** Messages and bytes queued now, over every pipe. */
  queued(): { messages: number; bytes: number } {
    let messages = 0;
    let bytes = 0;
    for (const q of this.queues) {
      messages += q.items.length - q.head;
      bytes += q.bytes;
    }
    return { messages, bytes };
  }

  /** Registers a receiver for the next message (the caller checked `take` first). */
  wait(waiter: Deferred<T>): void {
    this.waiters.push(waiter);
    waiter.onSettle = chain(waiter.onSettle, () => {
      const index = this.waiters.indexOf(waiter);
      if (index >= 0) this.waiters.splice(index, 1);
    });
  }

  /** Forgets what a closed pipe had queued (REP: its requests can no longer be answered). */
  dropPipe(pipe: Pipe): void {
    const index = this.queues.findIndex((q) => q.pipe === pipe);
    if (index < 0) return;
    this.queues.splice(index, 1);
    if (this.turn > index) this.turn--;
    if (this.turn >= this.queues.length) this.turn = 0;
  }
}

function chain(first: (() => void) | undefined, second: () => void): () => void {
  return () => {
    first?.();
    second();
  };
}
