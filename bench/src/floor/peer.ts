// The bench's side of the raw floor: forks floor/child.ts and talks to it
// over the fork IPC channel; every step has a deadline, so a wedged child
// fails the bench instead of hanging it.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const STEP_TIMEOUT_MS = 120_000;

export class FloorPeer {
  private readonly proc: ChildProcess;
  private readonly inbox: Array<Record<string, unknown>> = [];
  private wake: (() => void) | undefined;

  constructor() {
    this.proc = fork(fileURLToPath(new URL("./child.ts", import.meta.url)), [], {
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
      if (Date.now() > deadline) throw new Error(`floor child: no "${op}" in time`);
      if (this.proc.exitCode !== null) throw new Error("floor child exited");
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
    const m = this.inbox.shift()!;
    if (m.op !== op) throw new Error(`floor child: expected "${op}", got ${JSON.stringify(m)}`);
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
