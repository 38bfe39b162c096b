// A pending send/recv/wait: a promise with an optional deadline that the socket can settle from
// outside (message arrived, pipe ready, socket closed). Settling twice is a no-op, so every
// path that might finish an operation can simply try.
import type { NngError } from "./errors.js";

/** Deadlines at or above this are treated as "no deadline" (setTimeout caps at 2^31-1 ms). */
const MAX_TIMER_MS = 0x7fff_ffff;

export class Deferred<T> {
  readonly promise: Promise<T>;
  private resolveFn!: (value: T) => void;
  private rejectFn!: (error: unknown) => void;
  private timer: NodeJS.Timeout | undefined;
  private done = false;
  /** Runs once when settled by any path: removes the operation from whatever queue held it. */
  onSettle: (() => void) | undefined;

  /**
   * @param timeoutMs deadline in ms; Infinity or a negative number waits forever
   * @param onTimeout builds the error for an expired deadline and undoes protocol state
   */
  constructor(timeoutMs: number, onTimeout?: () => NngError) {
    this.promise = new Promise<T>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    if (onTimeout !== undefined && timeoutMs >= 0 && timeoutMs < MAX_TIMER_MS) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (!this.done) this.reject(onTimeout());
      }, timeoutMs);
    }
  }

  get settled(): boolean {
    return this.done;
  }

  resolve(value: T): void {
    if (!this.finish()) return;
    this.resolveFn(value);
  }

  reject(error: unknown): void {
    if (!this.finish()) return;
    this.rejectFn(error);
  }

  private finish(): boolean {
    if (this.done) return false;
    this.done = true;
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.onSettle?.();
    return true;
  }
}
