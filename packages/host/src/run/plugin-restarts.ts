// The restart policy of a managed plugin (PROTOCOL.md §8.3): a start on
// demand, and after an unexpected exit of a process with symbols in use a
// restart after the back-off, up to the limit of consecutive crashes at
// start; then every remembered instance is gone. Implements Running: the
// other parts get a handshaken, replayed process (and its control channel)
// through it.

import { HostError } from "../errors.js";
import { sleep } from "./backoff.js";
import type { ControlChannel } from "./control-channel.js";
import type { FunctionChannels } from "./plugin-functions.js";
import type { PluginLauncher } from "./plugin-launch.js";
import type { PluginState, Running } from "./plugin-state.js";
import type { ExitInfo, PluginProcess } from "./process.js";

export class PluginRestarts implements Running {
  readonly #s: PluginState;
  readonly #launcher: PluginLauncher;
  readonly #funcs: FunctionChannels;

  constructor(state: PluginState, launcher: PluginLauncher, funcs: FunctionChannels) {
    this.#s = state;
    this.#launcher = launcher;
    this.#funcs = funcs;
  }

  /** Resolves once a process is handshaken and replayed; starts one if there is none. */
  ensureRunning(): Promise<void> {
    const s = this.#s;
    if (s.phase === "running") return Promise.resolve();
    if (s.stopping) return Promise.reject(s.stoppedError());
    if (s.starting) return s.starting;
    // idle, or failed earlier: a new use starts afresh (as the reference does).
    s.backoff.reset();
    return this.#begin(undefined);
  }

  /** The control channel of a running process, started if needed. */
  async runningControl(): Promise<ControlChannel> {
    await this.ensureRunning();
    const s = this.#s;
    const control = s.control;
    if (!control || control.closed) {
      throw new HostError("PORTABLE_E_PROCESS", `plugin ${s.name} is not running: ${s.errMsg}`, {
        plugin: s.name,
      });
    }
    return control;
  }

  #begin(delay: number | undefined): Promise<void> {
    const s = this.#s;
    s.recovering = delay !== undefined;
    const run = this.#startLoop(delay).finally(() => {
      if (s.starting === run) s.starting = undefined;
      s.recovering = false;
    });
    run.catch(() => undefined); // waiters get the error; nobody waiting is fine
    s.starting = run;
    return run;
  }

  async #startLoop(firstDelay: number | undefined): Promise<void> {
    const s = this.#s;
    let delay = firstDelay;
    for (;;) {
      if (delay !== undefined) {
        s.phase = "restarting";
        s.log.warn(
          `plugin ${s.name}: restarting in ${delay} ms (restart ${s.backoff.total}; ${
            s.backoff.consecutive === 0
              ? "it ran healthy"
              : `crash at start ${s.backoff.consecutive} of at most ${s.backoff.limit} in a row`
          }) after: ${s.lastReason || s.errMsg}`,
        );
        try {
          await sleep(delay, s.stopper.signal);
        } catch {
          throw s.stoppedError();
        }
      }
      if (s.stopping) throw s.stoppedError();
      try {
        await this.#launcher.launch();
        s.phase = "running";
        s.runningSince = Date.now();
        return;
      } catch (err) {
        const error = HostError.from(err, "PORTABLE_E_PROCESS", { plugin: s.name });
        if (s.stopping) throw error;
        if (!s.errMsg) s.errMsg = error.message;
        if (s.versionFailure !== undefined) throw this.#versionFailed(s.versionFailure);
        if (!s.hasRemembered()) {
          s.phase = "failed";
          s.log.error(`plugin ${s.name}: could not start: ${s.errMsg}`);
          throw error;
        }
        if (s.backoff.exhausted) throw this.#giveUp();
        s.lastReason = s.errMsg;
        s.recovering = true;
        delay = s.backoff.next();
      }
    }
  }

  /** The current process exited (reported by the launcher that spawned it). */
  onExit(proc: PluginProcess, info: ExitInfo): void {
    const s = this.#s;
    if (proc !== s.proc) return;
    s.proc = undefined;
    let reason = info.reason;
    if (info.killedBecause === undefined && s.phase === "starting") {
      // Died before (or instead of) its handshake: its stderr tells why.
      const line = proc.stderrTail.tellingLine();
      if (line !== undefined) reason = `${reason}: ${line}`;
      reason += this.#launcher.nameHint(s.spawnedWall, proc);
    }
    const err = new HostError("PORTABLE_E_PROCESS", `plugin ${s.name} exited: ${reason}`, {
      plugin: s.name,
    });
    // Pending commands and calls fail now rather than at their timeout.
    const control = s.control;
    s.control = undefined;
    void control?.close(err);
    this.#funcs.dropAll(err);
    if (s.stopping) return;
    s.errMsg = reason;
    s.log.warn(`plugin ${s.name} (pid ${proc.pid}) exited: ${reason}`);
    if (s.phase !== "running") return; // a launch in progress fails and #startLoop decides
    if (s.versionFailure !== undefined) {
      this.#versionFailed(s.versionFailure);
      return;
    }
    // SIGKILL that the host did not send: killed, not crashed (§8.3).
    const killedFromOutside = info.signal === "SIGKILL" && info.killedBecause === undefined;
    s.backoff.ranFor(Date.now() - s.runningSince, killedFromOutside);
    if (!s.hasRemembered()) {
      s.phase = "failed";
      return;
    }
    if (s.backoff.exhausted) {
      this.#giveUp();
      return;
    }
    s.lastReason = reason;
    this.#begin(s.backoff.next());
  }

  /**
   * The process broke version negotiation (§10.4): status `error` with the
   * protocol error as `errMsg`, no restart (the same program would do the
   * same); every remembered instance is gone, as after the restart limit.
   */
  #versionFailed(statusText: string): HostError {
    const s = this.#s;
    s.phase = "failed";
    s.errMsg = statusText;
    const error = new HostError("PORTABLE_E_CHANNEL", `plugin ${s.name}: ${statusText}`, {
      plugin: s.name,
      statusText,
    });
    s.log.error(`${error.message}; not restarting it`);
    for (const entry of s.remembered.clear()) entry.owner?.failed(error);
    return error;
  }

  /** Restart limit reached: every remembered instance is gone (§8.3). */
  #giveUp(): HostError {
    const s = this.#s;
    s.phase = "failed";
    s.errMsg = `${s.errMsg} (gave up after ${s.backoff.consecutive} restarts)`;
    const error = new HostError("PORTABLE_E_PROCESS", `plugin ${s.name}: ${s.errMsg}`, {
      plugin: s.name,
    });
    s.log.error(error.message);
    for (const entry of s.remembered.clear()) entry.owner?.failed(error);
    return error;
  }
}
