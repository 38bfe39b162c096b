// The state of one managed plugin (see managed-plugin.ts), shared by the
// parts that run its life: phase, current process and control channel, the
// last error, the restart bookkeeping and the start commands remembered for
// replay. ManagedPlugin owns it; launch, restarts, replay, function channels,
// instances and status each read and write it.

import type { SymbolKind } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { InstalledPlugin } from "../install/plugin.js";
import type { StateChannel } from "../state/state-channel.js";
import { Backoff } from "./backoff.js";
import type { ControlChannel } from "./control-channel.js";
import type { PluginProcess } from "./process.js";
import { ReplayTable } from "./replay-table.js";
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

/** Start-up as the other parts need it (implemented by PluginRestarts). */
export interface Running {
  /** Resolves once a process is handshaken and replayed; starts one if there is none. */
  ensureRunning(): Promise<void>;
  /** The control channel of a running process, started if needed. */
  runningControl(): Promise<ControlChannel>;
}

export class PluginState {
  plugin: InstalledPlugin;
  readonly o: ResolvedSupervisorOptions;
  phase: Phase = "idle";
  errMsg = "";
  proc: PluginProcess | undefined;
  control: ControlChannel | undefined;
  /** The state channel (§13.2): opened at the first version-2 handshake, kept across restarts. */
  state: StateChannel | undefined;
  readonly remembered = new ReplayTable();
  starting: Promise<void> | undefined;
  readonly backoff: Backoff;
  runningSince = 0;
  handshakeMs: number | undefined;
  /**
   * The protocol version agreed with the current (or last) process (§10.4).
   * Version 2 is negotiated; its messages come in the next step: every
   * message is still spoken as version 1.
   */
  protocolVersion: number | undefined;
  /**
   * Set when the process broke version negotiation (§10.4): the status
   * `errMsg`. Restarting would not help, so the plugin fails without restarts
   * until its next use.
   */
  versionFailure: string | undefined;
  /** An unexpected exit is being recovered from (restarting, starting or replaying again). */
  recovering = false;
  /** Why the last restart happened. */
  lastReason = "";
  /** Date.now() when the current (or last) process was spawned. */
  spawnedWall = 0;
  /** Aborted by stop(): ends a back-off wait. */
  stopper = new AbortController();

  constructor(plugin: InstalledPlugin, options: ResolvedSupervisorOptions) {
    this.plugin = plugin;
    this.o = options;
    this.backoff = new Backoff(options.restart);
  }

  get name(): string {
    return this.plugin.name;
  }

  get log() {
    return this.o.logger;
  }

  get stopping(): boolean {
    return this.phase === "stopping" || this.phase === "stopped";
  }

  hasRemembered(): boolean {
    return this.remembered.size > 0;
  }

  stoppedError(): HostError {
    return new HostError("PORTABLE_E_CLOSED", `plugin ${this.name} is stopped`, {
      plugin: this.name,
    });
  }
}
