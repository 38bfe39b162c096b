// One launch of a managed plugin's process (PROTOCOL.md §3.3): listen on the
// control channel, spawn the program — or, with `launch: "manual"` (the
// debug server), wait for it to be started by hand — await the handshake,
// replay. Also the control channel's faults (a protocol error, an oversized
// message, the plugin closing its connection while it lives on): the
// process is killed with that reason, and the restart policy takes over.

import { mkdir } from "node:fs/promises";
import { HostError } from "../errors.js";
import { StateChannel } from "../state/state-channel.js";
import { type ChannelRefusals, dialedName } from "./channel-refusals.js";
import { ControlChannel } from "./control-channel.js";
import type { FunctionChannels } from "./plugin-functions.js";
import { replay } from "./plugin-replay.js";
import type { PluginState } from "./plugin-state.js";
import { type ExitInfo, launchCommand, PluginProcess } from "./process.js";

/** How long a process whose control connection went away may take to exit before it is killed. */
const CONTROL_LOST_GRACE_MS = 1000;

export class PluginLauncher {
  readonly #s: PluginState;
  readonly #refusals: ChannelRefusals;
  readonly #funcs: FunctionChannels;
  readonly #onExit: (proc: PluginProcess, info: ExitInfo) => void;
  /** Waiters of whenListening(); `#listened` once a control channel of this plugin has listened. */
  readonly #listenWaiters: Array<() => void> = [];
  #listened = false;

  constructor(
    state: PluginState,
    refusals: ChannelRefusals,
    funcs: FunctionChannels,
    onExit: (proc: PluginProcess, info: ExitInfo) => void,
  ) {
    this.#s = state;
    this.#refusals = refusals;
    this.#funcs = funcs;
    this.#onExit = onExit;
  }

  /**
   * Resolves once a control channel of this plugin listens (the first launch
   * has bound its socket): from then on a plugin started by hand can dial.
   */
  whenListening(): Promise<void> {
    if (this.#listened) return Promise.resolve();
    return new Promise((resolve) => this.#listenWaiters.push(resolve));
  }

  /** Listen, spawn, handshake, replay (§3.3). On failure nothing of this attempt is left. */
  async launch(): Promise<void> {
    const s = this.#s;
    s.phase = "starting";
    await mkdir(s.o.socketDir, { recursive: true, mode: 0o700 });
    const control: ControlChannel = new ControlChannel({
      plugin: s.name,
      socketDir: s.o.socketDir,
      commandTimeoutMs: s.o.timeouts.commandMs,
      logger: s.log,
      maxMessageBytes: s.o.maxMessageBytes,
      events: {
        refused: (c) =>
          this.#refusals.record({ plugin: s.name, url: control.url, at: c.at.getTime() }),
        failed: (error) => this.#controlFailed(control, error),
        peerLost: () => void this.#controlLost(control),
      },
    });
    await control.listen();
    this.#listened = true;
    for (const resolve of this.#listenWaiters.splice(0)) resolve();
    if (s.stopping) {
      await control.close();
      throw s.stoppedError();
    }
    // performance.now(): a cold start is tens of ms, Date.now()'s whole ms are too coarse.
    const spawnedAt = performance.now();
    const spawnedWall = Date.now();
    s.spawnedWall = spawnedWall;
    const proc = s.o.launch === "manual" ? undefined : await this.#spawn(control);
    if (!proc) {
      s.log.info(
        `plugin ${s.name}: listening on ${control.url}; waiting up to ${s.o.timeouts.initMs} ms for the plugin to be started by hand`,
      );
    }
    s.control = control;
    s.errMsg = "";
    s.protocolVersion = undefined;
    s.versionFailure = undefined;
    try {
      s.protocolVersion = await control.handshake(s.o.timeouts.initMs, s.o.protocolVersions);
      s.handshakeMs = Math.round((performance.now() - spawnedAt) * 100) / 100;
      s.log.info(
        `plugin ${s.name}: handshake after ${s.handshakeMs} ms, protocol version ${s.protocolVersion}`,
      );
      if (s.protocolVersion >= 2) await openStateChannel(s);
      s.phase = "replaying";
      await replay(s, control, this.#funcs);
    } catch (err) {
      // Whatever failed, this process is not usable: make sure it is gone,
      // and say why the host killed it (not `signal: killed`).
      const statusText = HostError.is(err) ? err.statusText : undefined;
      if (statusText !== undefined) s.versionFailure = statusText;
      const because = HostError.is(err, "PORTABLE_E_HANDSHAKE")
        ? `handshake timeout${this.nameHint(spawnedWall, proc)}`
        : (statusText ?? (err as Error).message);
      if (proc?.alive) {
        proc.kill("SIGKILL", because);
        await proc.exited;
      } else if (!proc) {
        s.errMsg = because;
      }
      await control.close();
      if (s.control === control) s.control = undefined;
      throw err;
    }
  }

  /** Spawns the plugin's program (the control channel listens already). */
  async #spawn(control: ControlChannel): Promise<PluginProcess> {
    const s = this.#s;
    const cmd = launchCommand(s.plugin, {
      pythonBin: s.o.pythonBin,
      nodeBin: s.o.nodeBin,
      condaBin: s.o.condaBin,
      socketDir: s.o.socketDir,
      env: s.o.env(s.plugin),
      protocolVersions: s.o.protocolVersions,
    });
    let proc: PluginProcess;
    try {
      proc = PluginProcess.spawn(s.name, cmd, s.log);
    } catch (err) {
      await control.close();
      s.errMsg = (err as Error).message;
      throw err;
    }
    s.proc = proc;
    void proc.exited.then((info) => this.#onExit(proc, info));
    s.log.info(`plugin ${s.name}: started pid ${proc.pid} (${cmd.file} ${cmd.args.join(" ")})`);
    return proc;
  }

  /**
   * Why a plugin that never handshook probably did not: it dialed another
   * name's control channel (its stderr says so, or that channel refused a
   * stranger since this process was spawned).
   */
  nameHint(since: number, proc: PluginProcess | undefined): string {
    const name = this.#s.name;
    const dialed = proc ? dialedName(proc.stderrTail.lines, name) : undefined;
    if (dialed !== undefined) {
      return ` (the plugin probably calls itself "${dialed}", not "${name}")`;
    }
    const refused = this.#refusals.since(since, name).at(-1);
    if (refused === undefined) return "";
    return (
      ` (its control channel never heard from it, while ${refused.url} of plugin "${refused.plugin}" refused a ` +
      `second connection at ${new Date(refused.at).toISOString()}: the plugin probably calls itself "${refused.plugin}")`
    );
  }

  /** The control channel broke the wire format: a launch fails on its own; a running process is killed. */
  #controlFailed(control: ControlChannel, error: HostError): void {
    const s = this.#s;
    if (control !== s.control || s.stopping || s.phase === "starting") return;
    if (error.statusText !== undefined) s.versionFailure = error.statusText;
    s.proc?.kill("SIGKILL", error.statusText ?? error.message);
  }

  /**
   * The plugin's control connection went away. A process that exits does
   * so within moments; one that lives on has closed its channel, which is an
   * error: it is killed with that reason and the restart policy applies.
   */
  async #controlLost(control: ControlChannel): Promise<void> {
    const s = this.#s;
    const proc = s.proc;
    if (control !== s.control || s.stopping || !proc?.alive) return;
    if (s.phase !== "running" && s.phase !== "replaying") return;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((r) => {
      timer = setTimeout(r, CONTROL_LOST_GRACE_MS);
    });
    await Promise.race([proc.exited, grace]);
    clearTimeout(timer);
    if (!proc.alive || proc !== s.proc || control !== s.control) return;
    if (control.closed || control.peers > 0 || s.stopping) return;
    const reason = "control channel closed by the plugin";
    s.log.error(
      `plugin ${s.name} (pid ${proc.pid}): ${reason} while its process stays alive; killing it`,
    );
    proc.kill("SIGKILL", reason);
  }
}

/**
 * Listens on the plugin's state channel once a process agreed on version 2,
 * before the reply to its handshake (the first command) goes out (§13.2).
 */
async function openStateChannel(s: PluginState): Promise<void> {
  const store = s.o.stateStore;
  if (store === undefined || s.state !== undefined) return;
  const channel = new StateChannel({
    plugin: s.name,
    socketDir: s.o.socketDir,
    store,
    symbols: () => {
      const m = s.plugin.manifest;
      return new Set([...m.sources, ...m.sinks, ...m.functions]);
    },
    logger: s.log,
    maxMessageBytes: s.o.maxMessageBytes,
  });
  await channel.listen();
  s.state = channel;
}
