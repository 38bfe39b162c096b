// The life of one installed plugin's process (PROTOCOL.md §3.3, §8): start
// on demand, handshake, replay what was running, restart after an unexpected
// exit with back-off and a limit, stop for good. It also remembers the start
// command of every running symbol instance (§8.1) and owns the control and
// function channels of the current process. With `launch: "manual"` (the
// debug server) nothing is spawned: the plugin is started by hand and only
// its handshake is awaited. Faults of the control channel (a protocol error,
// an oversized message, the plugin closing its connection while it lives on)
// kill the process with that reason, and the restart policy takes over.

import { mkdir } from "node:fs/promises";
import type { Control, PluginStatus, SymbolKind } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { InstalledPlugin } from "../install/plugin.js";
import { Backoff, sleep } from "./backoff.js";
import { ChannelRefusals, dialedName } from "./channel-refusals.js";
import { ControlChannel, type EncodedCommand, encodeCommand } from "./control-channel.js";
import { FunctionChannel } from "./function-channel.js";
import { type ExitInfo, launchCommand, PluginProcess } from "./process.js";
import { type InstanceOwner, ReplayTable } from "./replay-table.js";
import type { ResolvedSupervisorOptions } from "./supervisor-options.js";

export type Phase =
  | "idle" // installed, no process yet
  | "starting" // listening, spawned, waiting for the handshake
  | "replaying" // handshaken, re-sending remembered starts
  | "running"
  | "restarting" // exited with symbols in use, waiting the back-off
  | "failed" // exited or failed to start, nothing restarts it until the next use
  | "stopping"
  | "stopped";

export type InstanceKind = Exclude<SymbolKind, "function">;

export interface PluginRuntimeInfo {
  readonly phase: Phase;
  readonly pid: number | undefined;
  /** Restarts since the host started (not reset by the back-off reset). */
  readonly restarts: number;
  /** ms from spawn to the handshake (to 0.01 ms), of the current (or last) process. */
  readonly handshakeMs: number | undefined;
  readonly errMsg: string;
  /** Commands and calls sent again because a keepalive arrived first (§5.2), current process. */
  readonly keepaliveResends: number;
}

/** How long a process whose control connection went away may take to exit before it is killed. */
const CONTROL_LOST_GRACE_MS = 1000;

/** Errors that end a replayed start only, not the whole process (§8.2 step 3). */
const symbolFailure = (err: unknown) => HostError.is(err, "PORTABLE_E_COMMAND");

export class ManagedPlugin {
  #plugin: InstalledPlugin;
  readonly #o: ResolvedSupervisorOptions;
  #phase: Phase = "idle";
  #errMsg = "";
  #proc: PluginProcess | undefined;
  #control: ControlChannel | undefined;
  readonly #funcs = new Map<string, FunctionChannel>();
  readonly #funcStarts = new Map<string, Promise<FunctionChannel>>();
  readonly #remembered = new ReplayTable();
  #starting: Promise<void> | undefined;
  readonly #backoff: Backoff;
  #runningSince = 0;
  #handshakeMs: number | undefined;
  /** An unexpected exit is being recovered from (restarting, starting or replaying again). */
  #recovering = false;
  /** Why the last restart happened. */
  #lastReason = "";
  /** Date.now() when the current (or last) process was spawned. */
  #spawnedWall = 0;
  /** Waiters of whenListening(); `#listened` once a control channel of this plugin has listened. */
  readonly #listenWaiters: Array<() => void> = [];
  #listened = false;
  readonly #refusals: ChannelRefusals;
  #stop = new AbortController();
  /** Open proxies: id -> rule id (sources and sinks) or undefined (functions). */
  readonly #users = new Map<string, string | undefined>();

  constructor(
    plugin: InstalledPlugin,
    options: ResolvedSupervisorOptions,
    refusals: ChannelRefusals = new ChannelRefusals(),
  ) {
    this.#plugin = plugin;
    this.#o = options;
    this.#backoff = new Backoff(options.restart);
    this.#refusals = refusals;
  }

  /** Largest message accepted from this plugin on one channel (§2.5). */
  get maxMessageBytes(): number {
    return this.#o.maxMessageBytes;
  }

  get name(): string {
    return this.#plugin.name;
  }

  get plugin(): InstalledPlugin {
    return this.#plugin;
  }

  get phase(): Phase {
    return this.#phase;
  }

  get #log() {
    return this.#o.logger;
  }

  get #stopping(): boolean {
    return this.#phase === "stopping" || this.#phase === "stopped";
  }

  // ---- users and status ------------------------------------------------------------------------

  attach(id: string, ruleId?: string): void {
    this.#users.set(id, ruleId);
  }

  detach(id: string): void {
    this.#users.delete(id);
  }

  get inUse(): boolean {
    return this.#users.size > 0;
  }

  /**
   * The REST status document (§7.2). While an unexpected exit is recovered
   * from, `restarting` (not `error`), with `errMsg` the reason; `restarts`
   * and `lastReason` are added once there was a restart.
   */
  /** The status document (§7.2), generated from the schema: eKuiper's, plus `pid`, `restarts`, `lastReason`. */
  status(): PluginStatus {
    const refCount: Record<string, number> = {};
    for (const rule of this.#users.values()) {
      if (rule !== undefined) refCount[rule] = (refCount[rule] ?? 0) + 1;
    }
    const phase = this.#phase;
    const status: PluginStatus["status"] =
      this.#recovering && (phase === "restarting" || phase === "starting" || phase === "replaying")
        ? "restarting"
        : phase === "idle" || phase === "starting"
          ? "initializing"
          : phase === "running" || phase === "replaying"
            ? "running"
            : phase === "restarting" || phase === "failed"
              ? "error"
              : "stop";
    const pid = this.#proc?.alive ? this.#proc.pid : undefined;
    const restarts = this.#backoff.total;
    return {
      refCount,
      status,
      errMsg: status === "error" ? this.#errMsg : status === "restarting" ? this.#lastReason : "",
      ...(pid === undefined ? {} : { pid }),
      ...(restarts > 0 ? { restarts } : {}),
      ...(this.#lastReason ? { lastReason: this.#lastReason } : {}),
    };
  }

  info(): PluginRuntimeInfo {
    return {
      phase: this.#phase,
      pid: this.#proc?.alive ? this.#proc.pid : undefined,
      restarts: this.#backoff.total,
      handshakeMs: this.#handshakeMs,
      errMsg: this.#errMsg,
      keepaliveResends:
        (this.#control?.resends ?? 0) +
        [...this.#funcs.values()].reduce((n, ch) => n + ch.resends, 0),
    };
  }

  // ---- starting ----------------------------------------------------------------------------------

  /**
   * Resolves once a control channel of this plugin listens (the first launch
   * has bound its socket): from then on a plugin started by hand can dial.
   */
  whenListening(): Promise<void> {
    if (this.#listened) return Promise.resolve();
    return new Promise((resolve) => this.#listenWaiters.push(resolve));
  }

  /** Resolves once a process is handshaken and replayed; starts one if there is none. */
  ensureRunning(): Promise<void> {
    if (this.#phase === "running") return Promise.resolve();
    if (this.#stopping) return Promise.reject(this.#stoppedError());
    if (this.#starting) return this.#starting;
    // idle, or failed earlier: a new use starts afresh (as the reference does).
    this.#backoff.reset();
    return this.#begin(undefined);
  }

  #begin(delay: number | undefined): Promise<void> {
    this.#recovering = delay !== undefined;
    const run = this.#startLoop(delay).finally(() => {
      if (this.#starting === run) this.#starting = undefined;
      this.#recovering = false;
    });
    run.catch(() => undefined); // waiters get the error; nobody waiting is fine
    this.#starting = run;
    return run;
  }

  #hasRemembered(): boolean {
    return this.#remembered.size > 0;
  }

  async #startLoop(firstDelay: number | undefined): Promise<void> {
    let delay = firstDelay;
    for (;;) {
      if (delay !== undefined) {
        this.#phase = "restarting";
        this.#log.warn(
          `plugin ${this.name}: restarting in ${delay} ms (restart ${this.#backoff.total}; ${
            this.#backoff.consecutive === 0
              ? "it ran healthy"
              : `crash at start ${this.#backoff.consecutive} of at most ${this.#backoff.limit} in a row`
          }) after: ${this.#lastReason || this.#errMsg}`,
        );
        try {
          await sleep(delay, this.#stop.signal);
        } catch {
          throw this.#stoppedError();
        }
      }
      if (this.#stopping) throw this.#stoppedError();
      try {
        await this.#launch();
        this.#phase = "running";
        this.#runningSince = Date.now();
        return;
      } catch (err) {
        const error = HostError.from(err, "PORTABLE_E_PROCESS", { plugin: this.name });
        if (this.#stopping) throw error;
        if (!this.#errMsg) this.#errMsg = error.message;
        if (!this.#hasRemembered()) {
          this.#phase = "failed";
          this.#log.error(`plugin ${this.name}: could not start: ${this.#errMsg}`);
          throw error;
        }
        if (this.#backoff.exhausted) throw this.#giveUp();
        this.#lastReason = this.#errMsg;
        this.#recovering = true;
        delay = this.#backoff.next();
      }
    }
  }

  /** Listen, spawn, handshake, replay (§3.3). On failure nothing of this attempt is left. */
  async #launch(): Promise<void> {
    this.#phase = "starting";
    await mkdir(this.#o.socketDir, { recursive: true, mode: 0o700 });
    const control: ControlChannel = new ControlChannel({
      plugin: this.name,
      socketDir: this.#o.socketDir,
      commandTimeoutMs: this.#o.timeouts.commandMs,
      logger: this.#log,
      maxMessageBytes: this.#o.maxMessageBytes,
      events: {
        refused: (c) =>
          this.#refusals.record({ plugin: this.name, url: control.url, at: c.at.getTime() }),
        failed: (error) => this.#controlFailed(control, error),
        peerLost: () => void this.#controlLost(control),
      },
    });
    await control.listen();
    this.#listened = true;
    for (const resolve of this.#listenWaiters.splice(0)) resolve();
    if (this.#stopping) {
      await control.close();
      throw this.#stoppedError();
    }
    // performance.now(): a cold start is tens of ms, Date.now()'s whole ms are too coarse.
    const spawnedAt = performance.now();
    const spawnedWall = Date.now();
    this.#spawnedWall = spawnedWall;
    const proc = this.#o.launch === "manual" ? undefined : await this.#spawn(control);
    if (!proc) {
      this.#log.info(
        `plugin ${this.name}: listening on ${control.url}; waiting up to ${this.#o.timeouts.initMs} ms for the plugin to be started by hand`,
      );
    }
    this.#control = control;
    this.#errMsg = "";
    try {
      await control.handshake(this.#o.timeouts.initMs);
      this.#handshakeMs = Math.round((performance.now() - spawnedAt) * 100) / 100;
      this.#log.info(`plugin ${this.name}: handshake after ${this.#handshakeMs} ms`);
      this.#phase = "replaying";
      await this.#replay(control);
    } catch (err) {
      // Whatever failed, this process is not usable: make sure it is gone,
      // and say why the host killed it (not `signal: killed`).
      const because = HostError.is(err, "PORTABLE_E_HANDSHAKE")
        ? `handshake timeout${this.#nameHint(spawnedWall, proc)}`
        : (err as Error).message;
      if (proc?.alive) {
        proc.kill("SIGKILL", because);
        await proc.exited;
      } else if (!proc) {
        this.#errMsg = because;
      }
      await control.close();
      if (this.#control === control) this.#control = undefined;
      throw err;
    }
  }

  /** Spawns the plugin's program (the control channel listens already). */
  async #spawn(control: ControlChannel): Promise<PluginProcess> {
    const cmd = launchCommand(this.#plugin, {
      pythonBin: this.#o.pythonBin,
      nodeBin: this.#o.nodeBin,
      condaBin: this.#o.condaBin,
      socketDir: this.#o.socketDir,
      env: this.#o.env(this.#plugin),
    });
    let proc: PluginProcess;
    try {
      proc = PluginProcess.spawn(this.name, cmd, this.#log);
    } catch (err) {
      await control.close();
      this.#errMsg = (err as Error).message;
      throw err;
    }
    this.#proc = proc;
    void proc.exited.then((info) => this.#onExit(proc, info));
    this.#log.info(
      `plugin ${this.name}: started pid ${proc.pid} (${cmd.file} ${cmd.args.join(" ")})`,
    );
    return proc;
  }

  /** Functions first, then sources, then sinks, each in first-start order (§8.2). */
  async #replay(control: ControlChannel): Promise<void> {
    const entries = this.#remembered.inReplayOrder();
    if (entries.length === 0) return;
    this.#log.info(`plugin ${this.name}: replaying ${entries.length} start command(s)`);
    for (const entry of entries) {
      if (this.#stopping) throw this.#stoppedError();
      try {
        if (entry.kind === "function")
          await this.#openFunction(entry.symbol, entry.command, control);
        else await control.send(entry.command);
      } catch (err) {
        if (!symbolFailure(err) && !(err instanceof FunctionStartError)) throw err;
        const error = HostError.from(err, "PORTABLE_E_COMMAND", { plugin: this.name });
        this.#log.error(
          `plugin ${this.name}: replay of ${entry.kind} ${entry.key} failed: ${error.message}`,
        );
        this.#remembered.forget(entry.kind, entry.key);
        entry.owner?.failed(error);
      }
    }
  }

  /**
   * Why a plugin that never handshook probably did not: it dialed another
   * name's control channel (its stderr says so, or that channel refused a
   * stranger since this process was spawned).
   */
  #nameHint(since: number, proc: PluginProcess | undefined): string {
    const dialed = proc ? dialedName(proc.stderrTail.lines, this.name) : undefined;
    if (dialed !== undefined) {
      return ` (the plugin probably calls itself "${dialed}", not "${this.name}")`;
    }
    const refused = this.#refusals.since(since, this.name).at(-1);
    if (refused === undefined) return "";
    return (
      ` (its control channel never heard from it, while ${refused.url} of plugin "${refused.plugin}" refused a ` +
      `second connection at ${new Date(refused.at).toISOString()}: the plugin probably calls itself "${refused.plugin}")`
    );
  }

  /** The control channel broke the wire format: a launch fails on its own; a running process is killed. */
  #controlFailed(control: ControlChannel, error: HostError): void {
    if (control !== this.#control || this.#stopping || this.#phase === "starting") return;
    this.#proc?.kill("SIGKILL", error.message);
  }

  /**
   * The plugin's control connection went away. A process that exits does
   * so within moments; one that lives on has closed its channel, which is an
   * error: it is killed with that reason and the restart policy applies.
   */
  async #controlLost(control: ControlChannel): Promise<void> {
    const proc = this.#proc;
    if (control !== this.#control || this.#stopping || !proc?.alive) return;
    if (this.#phase !== "running" && this.#phase !== "replaying") return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => {
      timer = setTimeout(r, CONTROL_LOST_GRACE_MS);
    });
    await Promise.race([proc.exited, grace]);
    clearTimeout(timer);
    if (!proc.alive || proc !== this.#proc || control !== this.#control) return;
    if (control.closed || control.peers > 0 || this.#stopping) return;
    const reason = "control channel closed by the plugin";
    this.#log.error(
      `plugin ${this.name} (pid ${proc.pid}): ${reason} while its process stays alive; killing it`,
    );
    proc.kill("SIGKILL", reason);
  }

  #onExit(proc: PluginProcess, info: ExitInfo): void {
    if (proc !== this.#proc) return;
    this.#proc = undefined;
    let reason = info.reason;
    if (info.killedBecause === undefined && this.#phase === "starting") {
      // Died before (or instead of) its handshake: its stderr tells why.
      const line = proc.stderrTail.tellingLine();
      if (line !== undefined) reason = `${reason}: ${line}`;
      reason += this.#nameHint(this.#spawnedWall, proc);
    }
    const err = new HostError("PORTABLE_E_PROCESS", `plugin ${this.name} exited: ${reason}`, {
      plugin: this.name,
    });
    // Pending commands and calls fail now rather than at their timeout.
    const control = this.#control;
    this.#control = undefined;
    void control?.close(err);
    for (const ch of this.#funcs.values()) void ch.close(err);
    this.#funcs.clear();
    if (this.#stopping) return;
    this.#errMsg = reason;
    this.#log.warn(`plugin ${this.name} (pid ${proc.pid}) exited: ${reason}`);
    if (this.#phase !== "running") return; // a launch in progress fails and #startLoop decides
    // SIGKILL that the host did not send: killed, not crashed (§8.3).
    const killedFromOutside = info.signal === "SIGKILL" && info.killedBecause === undefined;
    this.#backoff.ranFor(Date.now() - this.#runningSince, killedFromOutside);
    if (!this.#hasRemembered()) {
      this.#phase = "failed";
      return;
    }
    if (this.#backoff.exhausted) {
      this.#giveUp();
      return;
    }
    this.#lastReason = reason;
    this.#begin(this.#backoff.next());
  }

  /** Restart limit reached: every remembered instance is gone (§8.3). */
  #giveUp(): HostError {
    this.#phase = "failed";
    this.#errMsg = `${this.#errMsg} (gave up after ${this.#backoff.consecutive} restarts)`;
    const error = new HostError("PORTABLE_E_PROCESS", `plugin ${this.name}: ${this.#errMsg}`, {
      plugin: this.name,
    });
    this.#log.error(error.message);
    for (const entry of this.#remembered.clear()) entry.owner?.failed(error);
    return error;
  }

  #stoppedError(): HostError {
    return new HostError("PORTABLE_E_CLOSED", `plugin ${this.name} is stopped`, {
      plugin: this.name,
    });
  }

  // ---- commands ----------------------------------------------------------------------------------

  /** The control channel of a running process, started if needed. */
  async #runningControl(): Promise<ControlChannel> {
    await this.ensureRunning();
    const control = this.#control;
    if (!control || control.closed) {
      throw new HostError(
        "PORTABLE_E_PROCESS",
        `plugin ${this.name} is not running: ${this.#errMsg}`,
        {
          plugin: this.name,
        },
      );
    }
    return control;
  }

  /** Sends a command; an unresponsive plugin is killed (and restarted, §9.1). */
  async #send(control: ControlChannel, command: EncodedCommand): Promise<void> {
    try {
      await control.send(command);
    } catch (err) {
      if (HostError.is(err, "PORTABLE_E_TIMEOUT") && this.#proc?.alive) {
        const reason = `control channel unresponsive (no answer within ${this.#o.timeouts.commandMs} ms)`;
        this.#log.error(`plugin ${this.name}: ${reason}, killing pid ${this.#proc.pid}`);
        this.#proc.kill("SIGKILL", reason);
      }
      throw err;
    }
  }

  /** Starts a source or sink instance and remembers it for replay. */
  async startInstance(
    kind: InstanceKind,
    key: string,
    control: Control,
    owner: InstanceOwner,
  ): Promise<void> {
    const command = encodeCommand({ cmd: "start", arg: control });
    await this.#send(await this.#runningControl(), command);
    this.#remembered.remember({ kind, key, symbol: control.symbolName, command, owner });
  }

  /** Forgets an instance and, when a process runs, sends its stop (a failure is only logged, §9.1). */
  async stopInstance(kind: InstanceKind, key: string, control: Control): Promise<void> {
    this.#remembered.forget(kind, key);
    if (this.#phase === "starting" || this.#phase === "replaying")
      await this.#starting?.catch(() => undefined);
    const channel = this.#control;
    if (this.#phase !== "running" || !channel) return;
    try {
      await channel.send({ cmd: "stop", arg: control });
    } catch (err) {
      this.#log.warn(`plugin ${this.name}: stop of ${kind} ${key}: ${(err as Error).message}`);
    }
  }

  /**
   * The open channel of function `symbol` if the process runs, without
   * waiting: every call looks its channel up, and most find it open.
   */
  openFunctionChannel(symbol: string): FunctionChannel | undefined {
    if (this.#phase !== "running") return undefined;
    const ch = this.#funcs.get(symbol);
    return ch && !ch.closed ? ch : undefined;
  }

  /** The channel of function `symbol`, starting the process and the function as needed. */
  async functionChannel(symbol: string): Promise<FunctionChannel> {
    for (;;) {
      await this.ensureRunning();
      const open = this.#funcs.get(symbol);
      if (open && !open.closed) return open;
      let pending = this.#funcStarts.get(symbol);
      if (!pending) {
        pending = this.#startFunction(symbol).finally(() => this.#funcStarts.delete(symbol));
        this.#funcStarts.set(symbol, pending);
      }
      const ch = await pending;
      if (!ch.closed) return ch;
    }
  }

  async #startFunction(symbol: string): Promise<FunctionChannel> {
    const control = await this.#runningControl();
    const known = this.#remembered.get("function", symbol);
    const command =
      known?.command ??
      encodeCommand({
        cmd: "start",
        arg: {
          symbolName: symbol,
          meta: { ruleId: "", opId: "", instanceId: 0 },
          pluginType: "func",
        },
      });
    try {
      const ch = await this.#openFunction(symbol, command, control);
      this.#remembered.remember({ kind: "function", key: symbol, symbol, command });
      return ch;
    } catch (err) {
      if (HostError.is(err, "PORTABLE_E_TIMEOUT") && !(err instanceof FunctionStartError)) {
        this.#proc?.kill("SIGKILL", `function ${symbol}: start not answered in time`);
      }
      throw err;
    }
  }

  /** Listen, send the start, wait for the first request (§5.3.3). */
  async #openFunction(
    symbol: string,
    command: EncodedCommand,
    control: ControlChannel,
  ): Promise<FunctionChannel> {
    const ch = new FunctionChannel({
      plugin: this.name,
      symbol,
      socketDir: this.#o.socketDir,
      callTimeoutMs: this.#o.timeouts.callMs,
      logger: this.#log,
      maxMessageBytes: this.#o.maxMessageBytes,
    });
    await ch.listen();
    try {
      await control.send(command);
      try {
        await ch.ready(this.#o.timeouts.initMs);
      } catch (err) {
        throw new FunctionStartError(err as HostError);
      }
    } catch (err) {
      await ch.close();
      throw err;
    }
    this.#funcs.set(symbol, ch);
    return ch;
  }

  /**
   * A function channel got no request when one was needed: close it, listen
   * again, send the start again (§5.2 "dead channels"). If that fails the
   * process is killed, which restarts it.
   */
  async reestablish(symbol: string, dead: FunctionChannel): Promise<void> {
    if (this.#funcs.get(symbol) !== dead) return;
    this.#funcs.delete(symbol);
    await dead.close();
    this.#log.warn(
      `plugin ${this.name}: function ${symbol} channel ${dead.url} is dead; re-establishing`,
    );
    try {
      await this.functionChannel(symbol);
    } catch (err) {
      this.#errMsg = `function ${symbol} channel could not be re-established: ${(err as Error).message}`;
      if (this.#proc?.alive) this.#proc.kill("SIGKILL", this.#errMsg);
      throw err;
    }
  }

  // ---- stopping ----------------------------------------------------------------------------------

  /** Stops for good (delete, update, shutdown): SIGTERM, grace, SIGKILL, close listeners (§3.4). */
  async stop(): Promise<void> {
    if (this.#phase === "stopped") return;
    this.#phase = "stopping";
    this.#stop.abort();
    const closed = this.#stoppedError();
    for (const ch of this.#funcs.values()) await ch.close(closed);
    this.#funcs.clear();
    const proc = this.#proc;
    if (proc) {
      const exit = await proc.stop(this.#o.timeouts.stopGraceMs);
      this.#log.info(`plugin ${this.name} (pid ${proc.pid}) stopped: ${exit.reason}`);
    }
    // A launch still waiting for its handshake fails now (with `launch: "manual"`
    // there is no process whose exit would close the channel).
    await this.#control?.close(closed);
    await this.#starting?.catch(() => undefined);
    await this.#control?.close(closed);
    this.#control = undefined;
    this.#proc = undefined;
    this.#phase = "stopped";
  }

  /**
   * New files (update): stop the old process, then run the new one and
   * replay what was running. Throws if the new version does not come up.
   */
  async replace(plugin: InstalledPlugin, eager: boolean): Promise<void> {
    const wasUp = this.#phase !== "idle" && this.#phase !== "failed" && this.#phase !== "stopped";
    await this.stop();
    this.#plugin = plugin;
    this.#phase = "idle";
    this.#errMsg = "";
    this.#stop = new AbortController();
    if (wasUp || this.#hasRemembered()) await this.ensureRunning();
    else if (eager) this.ensureRunning().catch(() => undefined);
  }
}

/** The function's start was answered `ok` but its channel never spoke: that symbol failed. */
class FunctionStartError extends HostError {
  constructor(error: HostError) {
    super(error.code, error.message, error.context);
  }
}
