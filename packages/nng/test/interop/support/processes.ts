// Peer processes for the interop tests: spawned, tracked and always reaped.
// Every child goes into one registry; `reapAll()` (run in afterEach) closes
// its stdin, then SIGTERMs it, then SIGKILLs it after a grace period, and
// `assertNoneAlive()` proves that nothing outlived the test.
import { type ChildProcess, spawn } from "node:child_process";

const alive = new Set<ChildProcess>();
let spawnedSinceCheck: number[] = [];

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far, for assertions and failure messages. */
  output(): { stdout: Buffer; stderr: string };
  /** Resolves with the exit code (or signal name) once the process is gone. */
  exited: Promise<number | string>;
}

export function spawnPeer(cmd: string, args: string[], label = cmd): Spawned {
  const child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"] });
  alive.add(child);
  if (child.pid !== undefined) spawnedSinceCheck.push(child.pid);
  const out: Buffer[] = [];
  let err = "";
  // Readers may set an encoding on stdout; keep bytes either way.
  child.stdout!.on("data", (b: Buffer | string) => out.push(Buffer.from(b)));
  child.stderr!.on("data", (b: Buffer) => {
    err += b.toString();
  });
  // A peer that dies early must not crash the runner with EPIPE on our writes.
  child.stdin!.on("error", () => {});
  const exited = new Promise<number | string>((resolve, reject) => {
    child.once("error", (e) => {
      alive.delete(child);
      reject(new Error(`${label}: could not start ${cmd}: ${e.message}`));
    });
    child.once("close", (code, signal) => {
      alive.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  // Unobserved rejection is reported by whoever awaits `exited`.
  exited.catch(() => {});
  return { child, exited, output: () => ({ stdout: Buffer.concat(out), stderr: err }) };
}

async function reap(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    alive.delete(child);
    return;
  }
  const gone = new Promise<void>((resolve) => child.once("close", () => resolve()));
  child.stdin?.end();
  const term = setTimeout(() => child.kill("SIGTERM"), graceMs);
  const kill = setTimeout(() => child.kill("SIGKILL"), graceMs * 2);
  await gone;
  clearTimeout(term);
  clearTimeout(kill);
}

/** Ends every peer still running: stdin EOF, then SIGTERM, then SIGKILL. */
export async function reapAll(graceMs = 500): Promise<void> {
  await Promise.all([...alive].map((c) => reap(c, graceMs)));
}

/**
 * Throws if a peer spawned since the last check still exists: asked of the
 * kernel by pid, not only of our own bookkeeping.
 */
export function assertNoneAlive(): void {
  const pids = spawnedSinceCheck;
  spawnedSinceCheck = [];
  const survivors = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  if (survivors.length > 0 || alive.size > 0) {
    throw new Error(
      `peer processes left behind: ${[...survivors, ...[...alive].map((c) => c.pid)].join(", ")}`,
    );
  }
}

/** Waits for `p`, failing with `what` after `ms`. */
export async function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
