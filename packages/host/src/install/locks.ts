// In-process locks of the registry: one lock per plugin name (changes to one
// plugin never wait for another plugin's install.sh or download), and a gate
// that lets `loadAll` run alone while every change waits. A wait can be
// cancelled by a signal: the operation then never starts.

import { HostError } from "../errors.js";

export type Release = () => void;

/** Throws PORTABLE_E_CANCELLED when `signal` has fired; `what` names the operation. */
export function throwIfCancelled(signal: AbortSignal | undefined, what: string, plugin?: string) {
  if (!signal?.aborted) return;
  throw cancelledError(signal, what, plugin);
}

export function cancelledError(signal: AbortSignal, what: string, plugin?: string): HostError {
  const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
  return new HostError("PORTABLE_E_CANCELLED", `${what} cancelled: ${reason}`, {
    ...(plugin === undefined ? {} : { plugin }),
  });
}

/** Resolves when `p` settles, or rejects with a cancellation when `signal` fires first. */
function raced(p: Promise<void>, signal: AbortSignal | undefined, what: string, plugin?: string) {
  if (!signal) return p;
  return new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(cancelledError(signal, what, plugin));
    const onAbort = () => reject(cancelledError(signal, what, plugin));
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    });
  });
}

/** A FIFO mutex per key; holders of different keys never wait for each other. */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  /** Waits for `key`, then returns its release. Cancelled waits give up their turn. */
  async acquire(key: string, signal?: AbortSignal, what = "operation"): Promise<Release> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: Release;
    const mine = new Promise<void>((r) => {
      release = r;
    });
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    try {
      await raced(previous, signal, what, key);
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  /** Whether someone holds or waits for `key`. */
  busy(key: string): boolean {
    return this.#tails.has(key);
  }
}

/** Many shared holders, or one exclusive holder once every shared one left. */
export class Gate {
  #shared = 0;
  #exclusive: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  async shared(): Promise<Release> {
    while (this.#exclusive) await this.#exclusive;
    this.#shared += 1;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#shared -= 1;
      if (this.#shared === 0) this.#drained?.();
    };
  }

  async exclusive(): Promise<Release> {
    while (this.#exclusive) await this.#exclusive;
    let open!: () => void;
    this.#exclusive = new Promise<void>((r) => {
      open = r;
    });
    if (this.#shared > 0) {
      await new Promise<void>((r) => {
        this.#drained = r;
      });
      this.#drained = undefined;
    }
    return () => {
      this.#exclusive = undefined;
      open();
    };
  }
}
