// The restart back-off of PROTOCOL.md §8.3: after a crash at start, 1 s
// doubled per consecutive restart up to a ceiling, with a limit on
// consecutive restarts; after a healthy run (see RestartPolicy), a short
// fixed delay and the count starts afresh. Pure bookkeeping; the caller sleeps.

import type { RestartPolicy } from "./supervisor-options.js";

export class Backoff {
  readonly #policy: RestartPolicy;
  #delay: number;
  /** The next restart follows a healthy run: short delay, not counted as consecutive. */
  #healthy = false;
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
    this.total++;
    if (this.#healthy) {
      this.#healthy = false;
      return this.#policy.healthyDelayMs;
    }
    this.consecutive++;
    const delay = this.#delay;
    this.#delay = Math.min(this.#delay * 2, this.#policy.maxDelayMs);
    return delay;
  }

  reset(): void {
    this.consecutive = 0;
    this.#healthy = false;
    this.#delay = this.#policy.firstDelayMs;
  }

  /**
   * After the exit of a process that reached `running`: one that ran
   * `resetAfterMs` or longer, or that was killed from outside (SIGKILL not
   * sent by the host: an operator, the OOM killer — it did not crash), was
   * healthy, so the count starts afresh and the next restart waits only
   * `healthyDelayMs`. Returns whether it was healthy.
   */
  ranFor(ms: number, killedFromOutside = false): boolean {
    if (ms < this.#policy.resetAfterMs && !killedFromOutside) return false;
    this.reset();
    this.#healthy = true;
    return true;
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
