// The restart back-off of PROTOCOL.md §8.3: 1 s, doubled per consecutive
// restart up to a ceiling, reset after a long enough run, with a limit on
// consecutive restarts. Pure bookkeeping; the caller sleeps.

import type { RestartPolicy } from "./supervisor-options.js";

export class Backoff {
  readonly #policy: RestartPolicy;
  #delay: number;
  /** Restarts since the last reset. */
  consecutive = 0;
  /** Restarts ever. */
  total = 0;

  constructor(policy: RestartPolicy) {
    this.#policy = policy;
    this.#delay = policy.firstDelayMs;
  }

  get limit(): number {
    return this.#policy.maxRestarts;
  }

  get exhausted(): boolean {
    return this.consecutive >= this.#policy.maxRestarts;
  }

  /** Counts a restart and returns how long to wait before it. */
  next(): number {
    this.consecutive++;
    this.total++;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#policy.maxDelayMs);
    return delay;
  }

  reset(): void {
    this.consecutive = 0;
    this.#delay = this.#policy.firstDelayMs;
  }

  /** After an exit: a process that ran `resetAfterMs` or longer starts the count afresh. */
  ranFor(ms: number): void {
    if (ms >= this.#policy.resetAfterMs) this.reset();
  }
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
