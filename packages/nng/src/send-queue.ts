// Back-pressured sending for PUSH and PAIR: a message goes to the next pipe that can take it
// (round robin); with none ready, the send waits, in order, until one drains or a peer
// connects, or its deadline expires. Nothing is buffered beyond Node's per-stream buffer.
import type { Deferred } from "./deferred.js";
import type { Pipe } from "./pipe.js";

interface Waiting {
  readonly body: Buffer;
  readonly done: Deferred<void>;
}

export class SendQueue {
  private readonly waiting: Waiting[] = [];
  private readonly pick: () => Pipe | undefined;

  constructor(pick: () => Pipe | undefined) {
    this.pick = pick;
  }

  /** Hands `body` to a pipe now if one can take it and nothing waits before it. */
  trySend(body: Buffer): boolean {
    if (this.waiting.length !== 0) return false;
    const pipe = this.pick();
    if (pipe === undefined) return false;
    pipe.send([body]);
    return true;
  }

  send(body: Buffer, wait: () => Deferred<void>): Promise<void> {
    if (this.trySend(body)) return Promise.resolve();
    const done = wait();
    const entry = { body, done };
    this.waiting.push(entry);
    const previous = done.onSettle;
    done.onSettle = () => {
      previous?.();
      const index = this.waiting.indexOf(entry);
      if (index >= 0) this.waiting.splice(index, 1);
    };
    return done.promise;
  }

  /** Some pipe became writable (or was added): hand it what is waiting. */
  drain(): void {
    while (this.waiting.length > 0) {
      const pipe = this.pick();
      if (pipe === undefined) return;
      const entry = this.waiting.shift() as Waiting;
      pipe.send([entry.body]);
      entry.done.resolve();
    }
  }
}
