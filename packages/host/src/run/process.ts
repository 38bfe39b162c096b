// One plugin process (PROTOCOL.md §3): the command line per language (the
// package format's, with the host's environment), the spawn in its own
// process group, stdout/stderr forwarded line by line to the host's logger
// at the level each line announces (info otherwise), the tail
// of stderr kept, the exit reason in the reference's words (`exit status 1`,
// `signal: killed`) or the host's own when it killed the process for a
// reason, and the stop sequence SIGTERM, grace, SIGKILL (§3.4).

import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { Interpreters, PluginCommand } from "@portable-plugins/package";
import { DEFAULT_SOCKET_DIR } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import { pluginCommand } from "../install/package-format.js";
import type { InstalledPlugin } from "../install/plugin.js";
import type { HostLogger } from "../logger.js";
import { lineLevel, OutputTail } from "./plugin-output.js";
import type { PluginEnv } from "./supervisor-options.js";

export interface LaunchSettings extends Interpreters {
  readonly socketDir: string;
  readonly env: PluginEnv;
  /** The version offer written into PortableConfig (§10.2); `[1]`: no key. */
  readonly protocolVersions?: readonly number[];
}

export interface LaunchCommand extends PluginCommand {
  readonly env: NodeJS.ProcessEnv;
}

/** The program, arguments and folder of a plugin (§3.2, the package format's), and its environment. */
export function launchCommand(plugin: InstalledPlugin, s: LaunchSettings): LaunchCommand {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Our TypeScript SDK reads the socket folder from here; the reference SDKs
  // only know /tmp, so a host with another folder can run only our plugins.
  if (s.socketDir !== DEFAULT_SOCKET_DIR) env["PORTABLE_SOCKET_DIR"] = s.socketDir;
  for (const [k, v] of Object.entries(s.env)) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return { ...pluginCommand(plugin, s, s.protocolVersions), env };
}

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  readonly spawnError?: Error;
  /**
   * `exit status 1`, `signal: killed`, `spawn python: ENOENT`, as the status
   * shows it; when the host killed the process for a reason, that reason.
   */
  readonly reason: string;
  /** Set when the host killed the process for a reason (`kill(signal, because)`). */
  readonly killedBecause?: string;
}

const SIGNAL_WORDS: Partial<Record<NodeJS.Signals, string>> = {
  SIGKILL: "killed",
  SIGTERM: "terminated",
  SIGINT: "interrupt",
  SIGSEGV: "segmentation fault",
  SIGABRT: "aborted",
  SIGHUP: "hangup",
  SIGPIPE: "broken pipe",
};

/** Go's `ProcessState.String()` wording, which the reference status shows. */
export function exitReason(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal: ${SIGNAL_WORDS[signal] ?? signal}`;
  return `exit status ${code ?? "unknown"}`;
}

export class PluginProcess {
  readonly plugin: string;
  readonly pid: number | undefined;
  /** Resolves (never rejects) once the process has ended and been reaped. */
  readonly exited: Promise<ExitInfo>;
  #exit: ExitInfo | undefined;
  #because: string | undefined;
  readonly #child: ChildProcess;
  /** The last lines of stderr (see tellingLine). */
  readonly stderrTail = new OutputTail();

  private constructor(plugin: string, child: ChildProcess, logger: HostLogger) {
    this.plugin = plugin;
    this.#child = child;
    this.pid = child.pid;
    // stderr's last lines may arrive after the exit event: the exit is
    // reported once stderr has ended (or 250 ms later), with its tail whole.
    const stderrEnded = new Promise<void>((r) => {
      if (!child.stderr) r();
      child.stderr?.once("close", () => r());
    });
    this.exited = new Promise<ExitInfo>((resolve) => {
      const done = (info: ExitInfo) => {
        if (this.#exit) return;
        const because = this.#because;
        const exit =
          because === undefined ? info : { ...info, reason: because, killedBecause: because };
        this.#exit = exit;
        // Whatever the plugin started in its group goes with it: nothing is left running.
        this.#signalGroup("SIGKILL");
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<void>((r) => {
          timer = setTimeout(r, 250);
        });
        void Promise.race([stderrEnded, late]).then(() => {
          clearTimeout(timer);
          resolve(exit);
        });
      };
      child.on("error", (err) => {
        // Also emitted for a failed kill; only a process that never ran ends here.
        if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
          done({
            code: null,
            signal: null,
            spawnError: err,
            reason: `cannot start: ${err.message}`,
          });
        }
      });
      child.once("exit", (code, signal) =>
        done({ code, signal, reason: exitReason(code, signal) }),
      );
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      const name = stream === child.stdout ? "stdout" : "stderr";
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
        if (name === "stderr") this.stderrTail.push(line);
        logger[lineLevel(line)](`plugin ${plugin} ${name}: ${line}`);
      });
    }
  }

  /** Starts the plugin program in its own process group, stdin from /dev/null. */
  static spawn(plugin: string, cmd: LaunchCommand, logger: HostLogger): PluginProcess {
    let child: ChildProcess;
    try {
      child = spawn(cmd.file, [...cmd.args], {
        cwd: cmd.cwd,
        env: cmd.env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      });
    } catch (cause) {
      throw new HostError(
        "PORTABLE_E_PROCESS",
        `plugin ${plugin}: cannot start ${cmd.file}: ${(cause as Error).message}`,
        { plugin, path: cmd.file, cause },
      );
    }
    return new PluginProcess(plugin, child, logger);
  }

  get exitInfo(): ExitInfo | undefined {
    return this.#exit;
  }

  get alive(): boolean {
    return this.#exit === undefined && this.pid !== undefined;
  }

  /**
   * Signals the process group (the plugin and anything it started). With
   * `because`, the exit is reported with that reason instead of
   * `signal: killed` (the host killed it; nobody else did).
   */
  kill(signal: NodeJS.Signals = "SIGKILL", because?: string): void {
    if (this.#exit) return;
    if (because !== undefined) this.#because ??= because;
    this.#signalGroup(signal);
  }

  #signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is gone. Fall back to the process itself, if still there.
      try {
        if (!this.#exit) this.#child.kill(signal);
      } catch {
        // Already gone.
      }
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once reaped (§3.4). */
  async stop(graceMs: number): Promise<ExitInfo> {
    if (this.#exit) return this.#exit;
    this.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => {
      timer = setTimeout(r, graceMs);
    });
    const first = await Promise.race([this.exited, grace.then(() => undefined)]);
    clearTimeout(timer);
    if (first) return first;
    this.kill("SIGKILL");
    return this.exited;
  }
}
