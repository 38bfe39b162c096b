// Waiting in tests, in one place: poll a condition until it yields a value
// (a row arrived, a file was written, a process is gone), take the next item
// of an iterator within a time, and tell whether a process still runs.

import { readFile } from "node:fs/promises";

/**
 * Polls `check` every `everyMs` until it returns a value other than
 * undefined or false, and resolves with that value. A check that throws
 * counts as not yet; after `timeoutMs` the wait fails with an error naming
 * `what` and the last error the check threw.
 */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: ${last.message}` : last ? `: ${String(last)}` : "";
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The next value of `it`, failing after `timeoutMs` or when the iteration ends. */
export async function nextWithin<T>(it: AsyncIterator<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no item within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const r = await Promise.race([it.next(), timeout]);
    if (r.done) throw new Error("iteration ended");
    return r.value;
  } finally {
    clearTimeout(timer);
  }
}

/** The trimmed text of file `path` once it has some; undefined while it is missing or blank. A check for `waitFor`. */
export async function fileText(path: string): Promise<string | undefined> {
  const text = await readFile(path, "utf8").catch(() => undefined);
  return text?.trim() || undefined;
}

/** The trimmed text of file `path` once it has some (a sink wrote it, a process its pid), failing after `timeoutMs`. */
export function waitForFile(path: string, timeoutMs = 10_000, everyMs = 20): Promise<string> {
  return waitFor(`${path} to be written`, () => fileText(path), timeoutMs, everyMs);
}

/** Whether a process with this pid exists (signal 0 reaches it; a zombie not yet reaped counts). */
export function pidAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` runs and is not a zombie, from /proc (Linux); false where /proc has no entry for it. */
export async function pidRunning(pid: number): Promise<boolean> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
  const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
  return stat !== "" && state !== "Z";
}
