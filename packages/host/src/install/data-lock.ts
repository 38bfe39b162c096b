// One host per plugins folder: a lock file `<pluginsDir>/.host.lock` holding
// the owner's pid, created atomically (written aside, then hard-linked into
// place, so it is never seen half-written). A lock whose pid is dead is stale
// and taken over; a live one makes the second host refuse to start.

import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { HostError } from "../errors.js";

export const LOCK_FILE = ".host.lock";

interface LockContent {
  readonly pid: number;
  readonly id: string;
  readonly host?: string;
  readonly since?: string;
}

function parse(text: string): LockContent | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (typeof v.pid === "number" && Number.isInteger(v.pid) && typeof v.id === "string") {
      return v as LockContent;
    }
  } catch {
    // Not ours, or damaged: treated as stale.
  }
  return undefined;
}

/** Whether process `pid` exists on this machine (EPERM: it exists, owned by another user). */
export function pidAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

const read = (path: string) => readFile(path, "utf8").then(parse, () => undefined);
const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

export class DataDirLock {
  readonly path: string;
  readonly #id = randomBytes(8).toString("hex");
  #held = false;

  constructor(readonly pluginsDir: string) {
    this.path = join(pluginsDir, LOCK_FILE);
  }

  get held(): boolean {
    return this.#held;
  }

  /** Takes the lock, or throws PORTABLE_E_LOCKED naming the live owner. Idempotent. */
  async acquire(): Promise<void> {
    if (this.#held) return;
    await mkdir(this.pluginsDir, { recursive: true });
    const mine: LockContent = {
      pid: process.pid,
      id: this.#id,
      host: hostname(),
      since: new Date().toISOString(),
    };
    const aside = `${this.path}.${this.#id}`;
    await writeFile(aside, `${JSON.stringify(mine)}\n`, { mode: 0o644 });
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          await link(aside, this.path);
          this.#held = true;
          return;
        } catch (err) {
          if (code(err) !== "EEXIST") throw lockError(this.path, err);
        }
        const owner = await read(this.path);
        if (owner && pidAlive(owner.pid)) throw inUse(this.pluginsDir, this.path, owner);
        await this.#takeOver();
      }
      throw new HostError("PORTABLE_E_LOCKED", `cannot take the lock ${this.path}: contended`, {
        path: this.path,
      });
    } finally {
      await unlink(aside).catch(() => undefined);
    }
  }

  /** Moves a stale lock away; puts it back if it turned out to be a live one (a race). */
  async #takeOver(): Promise<void> {
    const moved = `${this.path}.stale-${randomBytes(4).toString("hex")}`;
    try {
      await rename(this.path, moved);
    } catch (err) {
      if (code(err) === "ENOENT") return;
      throw lockError(this.path, err);
    }
    const owner = await read(moved);
    if (owner && pidAlive(owner.pid)) {
      // Another host took it over between our read and our rename: give it back.
      await link(moved, this.path).catch(() => undefined);
      await unlink(moved).catch(() => undefined);
      throw inUse(this.pluginsDir, this.path, owner);
    }
    await unlink(moved).catch(() => undefined);
  }

  /** Removes the lock file if it is still ours. */
  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    const owner = await read(this.path);
    if (owner?.id === this.#id) await unlink(this.path).catch(() => undefined);
  }
}

function inUse(dir: string, path: string, owner: LockContent): HostError {
  const who = owner.pid === process.pid ? "another host in this process" : `pid ${owner.pid}`;
  return new HostError(
    "PORTABLE_E_LOCKED",
    `the plugins folder ${dir} is in use by another host (${who}${owner.since ? `, since ${owner.since}` : ""}); ` +
      `stop that host, or give this one another data folder (remove ${path} only if no such host runs)`,
    { path },
  );
}

function lockError(path: string, cause: unknown): HostError {
  return new HostError(
    "PORTABLE_E_LOCKED",
    `cannot take the lock ${path}: ${(cause as Error).message}`,
    { path, cause },
  );
}
