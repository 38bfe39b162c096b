// The bench's side of a forked peer process (the raw floor's floor/child.ts,
// or src/nng/child.ts): talks to it over the fork IPC channel;
// every step has a deadline, so a wedged child fails the bench instead of
// hanging it.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const STEP_TIMEOUT_MS = 120_000;

export class ChildPeer {
  private readonly proc: ChildProcess;
  private readonly inbox: Array<Record<string, unknown>> = [];
  private wake: (() => void) | undefined;

  /** Forks `script` (a TypeScript file, run with tsx); `label` names it in errors. */
  constructor(
    script: URL = new URL("./child.ts", import.meta.url),
    private readonly label = "floor child",
  ) {
    this.proc = fork(fileURLToPath(script), [], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.proc.on("message", (m) => {
      this.inbox.push(m as Record<string, unknown>);
      this.wake?.();
    });
  }

  /** The next message from the child, which must be `op`. */
  async next(op: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (this.inbox.length === 0) {
      if (Date.now() > deadline) throw new Error(`${this.label}: no "${op}" in time`);
      if (this.proc.exitCode !== null) throw new Error(`${this.label} exited`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    const m = this.inbox.shift()!;
    if (m.op !== op) throw new Error(`${this.label}: expected "${op}", got ${JSON.stringify(m)}`);
    return m;
  }

  async request(m: object, op: string): Promise<Record<string, unknown>> {
    this.proc.send(m);
    return this.next(op);
  }

  /** Sends without waiting for the answer (read it later with `next`). */
  post(m: object): void {
    this.proc.send(m);
  }

  async kill(): Promise<void> {
    if (this.proc.exitCode !== null) return;
    const gone = new Promise((r) => this.proc.once("exit", r));
    this.proc.kill();
    await gone;
  }
}

/** The raw floor's peer. */
export type FloorPeer = ChildPeer;
export const FloorPeer = ChildPeer;
