// One plugin process, started like a host starts it (PROTOCOL.md §3.2): its
// own process group, stdin from /dev/null, stdout/stderr read line by line
// (kept as a tail for the report), exit status recorded. `terminate` is the
// host's stop (§3.4): SIGTERM, a grace period, then SIGKILL of the group.

import { type ChildProcess, spawn } from "node:child_process";
import { ConformanceError } from "../errors.js";
import type { Transcript } from "./transcript.js";

export interface LaunchCommand {
  readonly file: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface ExitStatus {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const TAIL_LINES = 40;

/**
 * Lines that say why a process died: a Go panic or fatal error, a Python
 * exception line. Kept apart from the output tail, which a long stack trace
 * would push them out of.
 */
const CRASH_LINE = /^(panic: |fatal error: |[A-Za-z_][\w.]*(Error|Exception)(: |$))/;

/** Every plugin process still running, so an interrupted suite can kill them all. */
const LIVE = new Set<PluginProcess>();

/**
 * SIGKILLs the process group of every plugin still running (synchronous: safe
 * in an `exit` handler). Plugins run in their own process groups, so a Ctrl-C
 * of the suite does not reach them by itself.
 */
export function killAllPlugins(): void {
  for (const p of LIVE) p.signal("SIGKILL");
}

export function describeExit(s: ExitStatus): string {
  return s.signal ? `killed by ${s.signal}` : `exit status ${s.code}`;
}

export class PluginProcess {
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #transcript: Transcript;
  readonly #output: string[];
  #exit: ExitStatus | undefined;
  readonly exited: Promise<ExitStatus>;
  /** Resolves when the process has ended and its output streams are drained. */
  readonly drained: Promise<void>;

  private constructor(child: ChildProcess, transcript: Transcript, output: string[]) {
    this.#child = child;
    this.#transcript = transcript;
    this.#output = output;
    this.pid = child.pid as number;
    LIVE.add(this);
    this.drained = new Promise((resolve) => child.once("close", () => resolve()));
    this.exited = new Promise((resolve) => {
      child.once("exit", (code, signal) => {
        LIVE.delete(this);
        this.#exit = { code, signal };
        transcript.event("process", `pid ${this.pid} ended: ${describeExit(this.#exit)}`);
        resolve(this.#exit);
      });
    });
  }

  /** Spawns; resolves once the OS has started it (or throws a harness error). */
  static async spawn(
    cmd: LaunchCommand,
    transcript: Transcript,
    output: string[],
    crashes: string[] = [],
  ): Promise<PluginProcess> {
    const child = spawn(cmd.file, [...cmd.args], {
      cwd: cmd.cwd,
      env: cmd.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      // Own process group: SIGTERM/SIGKILL reach the plugin's children too (§3.2).
      detached: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (err) =>
        reject(
          new ConformanceError(
            "PORTABLE_E_CONF_LAUNCH",
            `cannot start ${cmd.file}: ${err.message}`,
            { path: cmd.file, cause: err },
          ),
        ),
      );
    });
    for (const [stream, tag] of [
      [child.stdout, "out"],
      [child.stderr, "err"],
    ] as const) {
      let partial = "";
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) {
          output.push(`[${tag}] ${line}`);
          if (CRASH_LINE.test(line)) crashes.push(line);
          if (output.length > TAIL_LINES) output.shift();
        }
      });
    }
    transcript.event(
      "process",
      `spawned pid ${child.pid}: ${[cmd.file, ...cmd.args].join(" ")} (cwd ${cmd.cwd})`,
    );
    return new PluginProcess(child, transcript, output);
  }

  get exitStatus(): ExitStatus | undefined {
    return this.#exit;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** The last lines the plugin wrote on stdout/stderr. */
  get output(): readonly string[] {
    return this.#output;
  }

  /** Sends `signal` to the process group (falls back to the process). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    this.#transcript.event("process", `host sends ${signal} to pid ${this.pid}`);
    try {
      process.kill(-this.pid, signal);
    } catch {
      this.#child.kill(signal);
    }
  }

  /** Resolves with the exit status, or undefined if still running after `ms`. */
  async waitExit(ms: number): Promise<ExitStatus | undefined> {
    if (this.#exit) return this.#exit;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((r) => {
      timer = setTimeout(() => r(undefined), ms);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, wait `graceMs`, SIGKILL; resolves when the process is gone. Safe to call twice. */
  async terminate(graceMs: number): Promise<ExitStatus> {
    if (this.#exit) return this.#exit;
    this.signal("SIGTERM");
    const status = await this.waitExit(graceMs);
    if (status) return status;
    this.signal("SIGKILL");
    return this.exited;
  }
}
