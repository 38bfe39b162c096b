// Stale socket files (PROTOCOL.md §2.6): a file at a socket path that nobody
// accepts connections on was left by a dead process and may be removed; a
// live one must never be (§11).

import { lstat, unlink } from "node:fs/promises";
import { connect } from "node:net";

/** Whether something accepts connections at `path` (false for refused, missing, or not a socket). */
export function socketIsLive(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(path);
    const done = (live: boolean) => {
      clearTimeout(timer);
      probe.destroy();
      resolve(live);
    };
    const timer = setTimeout(() => done(true), timeoutMs);
    probe.once("connect", () => done(true));
    probe.once("error", () => done(false));
  });
}

/**
 * Removes the socket file at `path` if it is stale, e.g. the sink data
 * listener of a plugin that was killed. True when a file was removed.
 */
export async function removeStaleSocket(path: string): Promise<boolean> {
  const isSocket = await lstat(path).then(
    (s) => s.isSocket() && s.uid === process.getuid?.(),
    () => false,
  );
  if (!isSocket || (await socketIsLive(path))) return false;
  try {
    await unlink(path);
    return true;
  } catch {
    return false;
  }
}
