// The life of one installed plugin's process (PROTOCOL.md §3.3, §8): start
// on demand, handshake, replay what was running, restart after an unexpected
// exit with back-off and a limit, stop for good. It also remembers the start
// command of every running symbol instance (§8.1) and owns the control and
// function channels of the current process. With `launch: "manual"` (the
// debug server) nothing is spawned: the plugin is started by hand and only
// its handshake is awaited. Faults of the control channel (a protocol error,
// an oversized message, the plugin closing its connection while it lives on)
// kill the process with that reason, and the restart policy takes over.
//
// This file is the front and owns the parts, one job each: plugin-state.ts
// (what they share), plugin-launch.ts (one launch, control-channel faults),
// plugin-replay.ts, plugin-restarts.ts (restart policy), plugin-functions.ts
// (function channels), plugin-instances.ts (source/sink starts and stops),
// plugin-status.ts (users, status document, runtime info).

import type { Control, PluginStatus } from "@portable-plugins/protocol";
import type { InstalledPlugin } from "../install/plugin.js";
import { ChannelRefusals } from "./channel-refusals.js";
import type { FunctionChannel } from "./function-channel.js";
import { FunctionChannels } from "./plugin-functions.js";
import { PluginInstances } from "./plugin-instances.js";
import { PluginLauncher } from "./plugin-launch.js";
import { PluginRestarts } from "./plugin-restarts.js";
import { type InstanceKind, type Phase, PluginState } from "./plugin-state.js";
import { type PluginRuntimeInfo, PluginUsers, pluginStatus, runtimeInfo } from "./plugin-status.js";
import type { InstanceOwner } from "./replay-table.js";
import type { ResolvedSupervisorOptions } from "./supervisor-options.js";

export type { InstanceKind, Phase } from "./plugin-state.js";
export type { PluginRuntimeInfo } from "./plugin-status.js";

export class ManagedPlugin {
  readonly #s: PluginState;
  readonly #users = new PluginUsers();
  readonly #funcs: FunctionChannels;
  readonly #launcher: PluginLauncher;
  readonly #restarts: PluginRestarts;
  readonly #instances: PluginInstances;

  constructor(
    plugin: InstalledPlugin,
    options: ResolvedSupervisorOptions,
    refusals: ChannelRefusals = new ChannelRefusals(),
  ) {
    const s = new PluginState(plugin, options);
    this.#s = s;
    // The parts call each other through these late-bound hooks (no import circle).
    const running = {
      ensureRunning: () => this.#restarts.ensureRunning(),
      runningControl: () => this.#restarts.runningControl(),
    };
    this.#funcs = new FunctionChannels(s, running);
    this.#launcher = new PluginLauncher(s, refusals, this.#funcs, (proc, info) =>
      this.#restarts.onExit(proc, info),
    );
    this.#restarts = new PluginRestarts(s, this.#launcher, this.#funcs);
    this.#instances = new PluginInstances(s, this.#restarts);
  }

  /** Largest message accepted from this plugin on one channel (§2.5). */
  get maxMessageBytes(): number {
    return this.#s.o.maxMessageBytes;
  }

  /** Whether calls and starts are checked against the plugin's declared types (§6.4.1). */
  get checkTypes(): boolean {
    return this.#s.o.checkTypes;
  }

  get name(): string {
    return this.#s.name;
  }

  /** The protocol version agreed with the running process (§10.4); 1 before a handshake. */
  get protocolVersion(): number {
    return this.#s.protocolVersion ?? 1;
  }

  get plugin(): InstalledPlugin {
    return this.#s.plugin;
  }

  get phase(): Phase {
    return this.#s.phase;
  }

  // ---- users and status ------------------------------------------------------------------------

  attach(id: string, ruleId?: string): void {
    this.#users.attach(id, ruleId);
  }

  detach(id: string): void {
    this.#users.detach(id);
  }

  get inUse(): boolean {
    return this.#users.inUse;
  }

  /**
   * The REST status document (§7.2). While an unexpected exit is recovered
   * from, `restarting` (not `error`), with `errMsg` the reason; `restarts`
   * and `lastReason` are added once there was a restart.
   */
  /** The status document (§7.2), generated from the schema: eKuiper's, plus `pid`, `restarts`, `lastReason`. */
  status(): PluginStatus {
    return pluginStatus(this.#s, this.#users);
  }

  info(): PluginRuntimeInfo {
    return runtimeInfo(this.#s, this.#funcs.resends, this.#funcs.batches);
  }

  // ---- starting ----------------------------------------------------------------------------------

  /**
   * Resolves once a control channel of this plugin listens (the first launch
   * has bound its socket): from then on a plugin started by hand can dial.
   */
  whenListening(): Promise<void> {
    return this.#launcher.whenListening();
  }

  /** Resolves once a process is handshaken and replayed; starts one if there is none. */
  ensureRunning(): Promise<void> {
    return this.#restarts.ensureRunning();
  }

  // ---- commands ----------------------------------------------------------------------------------

  /** Starts a source or sink instance and remembers it for replay. */
  startInstance(
    kind: InstanceKind,
    key: string,
    control: Control,
    owner: InstanceOwner,
  ): Promise<void> {
    return this.#instances.start(kind, key, control, owner);
  }

  /** Forgets an instance and, when a process runs, sends its stop (a failure is only logged, §9.1). */
  stopInstance(kind: InstanceKind, key: string, control: Control): Promise<void> {
    return this.#instances.stop(kind, key, control);
  }

  /**
   * The open channel of function `symbol` if the process runs, without
   * waiting: every call looks its channel up, and most find it open.
   */
  openFunctionChannel(symbol: string): FunctionChannel | undefined {
    return this.#funcs.open(symbol);
  }

  /** The channel of function `symbol`, starting the process and the function as needed. */
  functionChannel(symbol: string): Promise<FunctionChannel> {
    return this.#funcs.channel(symbol);
  }

  /**
   * A function channel got no request when one was needed: close it, listen
   * again, send the start again (§5.2 "dead channels"). If that fails the
   * process is killed, which restarts it.
   */
  reestablish(symbol: string, dead: FunctionChannel): Promise<void> {
    return this.#funcs.reestablish(symbol, dead);
  }

  // ---- stopping ----------------------------------------------------------------------------------

  /** Stops for good (delete, update, shutdown): SIGTERM, grace, SIGKILL, close listeners (§3.4). */
  async stop(): Promise<void> {
    const s = this.#s;
    if (s.phase === "stopped") return;
    s.phase = "stopping";
    s.stopper.abort();
    const closed = s.stoppedError();
    await this.#funcs.closeAll(closed);
    const proc = s.proc;
    if (proc) {
      const exit = await proc.stop(s.o.timeouts.stopGraceMs);
      s.log.info(`plugin ${s.name} (pid ${proc.pid}) stopped: ${exit.reason}`);
    }
    // A launch still waiting for its handshake fails now (with `launch: "manual"`
    // there is no process whose exit would close the channel).
    await s.control?.close(closed);
    await s.starting?.catch(() => undefined);
    await s.control?.close(closed);
    s.control = undefined;
    s.proc = undefined;
    s.phase = "stopped";
  }

  /**
   * New files (update): stop the old process, then run the new one and
   * replay what was running. Throws if the new version does not come up.
   */
  async replace(plugin: InstalledPlugin, eager: boolean): Promise<void> {
    const s = this.#s;
    const wasUp = s.phase !== "idle" && s.phase !== "failed" && s.phase !== "stopped";
    await this.stop();
    s.plugin = plugin;
    s.phase = "idle";
    s.errMsg = "";
    s.stopper = new AbortController();
    if (wasUp || s.hasRemembered()) await this.ensureRunning();
    else if (eager) this.ensureRunning().catch(() => undefined);
  }
}
