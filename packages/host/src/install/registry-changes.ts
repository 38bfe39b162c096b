// How the registry runs a change (install, update, uninstall): beside other
// changes but never beside `loadAll` (a gate), under the plugin's own lock
// for the part that touches its folder, and cancellable until it commits —
// by the caller's signal or by closing the registry (downloads aborted,
// install.sh process groups killed). A failure after the signal fired is
// reported as the cancellation.

import { HostError } from "../errors.js";
import { Gate, KeyedLock, throwIfCancelled } from "./locks.js";
import { fetchPackage, type Staged, type StageOptions } from "./staging.js";

export interface InstallOptions {
  /** Arguments for the package's install.sh (the REST body's `shellParas`). */
  readonly shellParas?: readonly string[];
  /** Cancels the change until it commits (e.g. the REST client went away). */
  readonly signal?: AbortSignal;
}

export interface ChangeOptions {
  /** Cancels the change until it commits (e.g. the REST client went away). */
  readonly signal?: AbortSignal;
}

export class ChangeGuard {
  readonly #locks = new KeyedLock();
  readonly #gate = new Gate();
  readonly #closer = new AbortController();

  /**
   * Runs change `op` beside other changes (never beside `loadAll`), with a
   * signal that fires when the caller's does or the registry closes.
   */
  async change<T>(
    what: string,
    name: string,
    callerSignal: AbortSignal | undefined,
    op: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    if (this.#closer.signal.aborted) {
      throw new HostError(
        "PORTABLE_E_CLOSED",
        `${what} of plugin ${name}: the registry is closed`,
        {
          plugin: name,
        },
      );
    }
    const signal = callerSignal
      ? AbortSignal.any([callerSignal, this.#closer.signal])
      : this.#closer.signal;
    const leave = await this.#gate.shared();
    try {
      throwIfCancelled(signal, `${what} of plugin ${name}`, name);
      return await op(signal);
    } finally {
      leave();
    }
  }

  /** Runs `op` holding plugin `name`'s lock; throws PORTABLE_E_CANCELLED if `signal` fires first. */
  async locked<T>(name: string, what: string, signal: AbortSignal, op: () => Promise<T>) {
    const release = await this.#locks.acquire(name, signal, `${what} of plugin ${name}`);
    try {
      throwIfCancelled(signal, `${what} of plugin ${name}`, name);
      return await op();
    } finally {
      release();
    }
  }

  /** Runs `op` alone: no change runs beside it (`loadAll`). */
  async exclusive<T>(op: () => Promise<T>): Promise<T> {
    const release = await this.#gate.exclusive();
    try {
      return await op();
    } finally {
      release();
    }
  }

  /**
   * Stops every change in progress that has not committed: downloads are
   * aborted and install.sh process groups killed. Later changes are refused.
   */
  close(): void {
    if (!this.#closer.signal.aborted) this.#closer.abort(new Error("the host is stopping"));
  }
}

/** Fetches `from` under `signal`; a failure after the signal fired is the cancellation. */
export async function fetchCancellable(
  from: string,
  stage: StageOptions,
  signal: AbortSignal,
  what: string,
  name: string,
) {
  try {
    return await fetchPackage(from, stage, signal);
  } catch (err) {
    throwIfCancelled(signal, `${what} of plugin ${name}`, name);
    throw err;
  }
}

/** Stages under `signal`; an error after the signal fired is reported as the cancellation. */
export async function stageCancellable(
  signal: AbortSignal,
  what: string,
  name: string,
  op: () => Promise<Staged>,
): Promise<Staged> {
  let staged: Staged;
  try {
    staged = await op();
  } catch (err) {
    throwIfCancelled(signal, `${what} of plugin ${name}`, name);
    throw err;
  }
  if (signal.aborted) {
    await staged.discard();
    throwIfCancelled(signal, `${what} of plugin ${name}`, name);
  }
  return staged;
}
