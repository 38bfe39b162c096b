// Settings of the supervisor: timeouts (PROTOCOL.md §5.4), the restart policy
// (§8.3) and how plugin programs are launched (§3.2). Every duration is in
// milliseconds; defaults are the spec's.

import {
  DEFAULT_SOCKET_DIR,
  portableConfigArgument,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@portable-plugins/protocol";
import type { InstalledPlugin } from "../install/plugin.js";
import type { HostLogger } from "../logger.js";
import { stderrLogger } from "../logger.js";

export interface HostTimeouts {
  /** Spawn to the first control request; function start to its first request. Default 30 s. */
  readonly initMs: number;
  /** A command to its answer, keepalive re-sends included. Default 30 s (a Python sink start takes 5 s of dial retries). */
  readonly commandMs: number;
  /** A function call to its reply, re-sends included. Default 5 s. */
  readonly callMs: number;
  /** Host sends on PUSH (sink rows). Default 5 s. */
  readonly sendMs: number;
  /** One sink ack, when the sink's config has `requireAck: true`. Default 5 s. */
  readonly ackMs: number;
  /** SIGTERM to SIGKILL. Default 5 s. */
  readonly stopGraceMs: number;
}

/**
 * Two kinds of exit (§8.3). A process that ran healthy (handshake and replay
 * done, then alive `resetAfterMs` or longer, or killed with SIGKILL by
 * someone other than the host) and then died is restarted after
 * `healthyDelayMs`, as often as it dies: an always-on host brings back a
 * plugin that is killed again and again. A process that died before or at
 * its start (no handshake, a failed replay, or less than `resetAfterMs` of
 * running) is backed off: `firstDelayMs`, doubled up to `maxDelayMs`, and
 * given up after `maxRestarts` such restarts in a row.
 */
export interface RestartPolicy {
  /** First back-off after a crash at start. Default 1 s. */
  readonly firstDelayMs: number;
  /** Back-off ceiling (the delay doubles up to it). Default 60 s. */
  readonly maxDelayMs: number;
  /** Running this long makes a process healthy: its exit resets the back-off. Default 500 ms. */
  readonly resetAfterMs: number;
  /** Delay before restarting a process that ran healthy. Default 100 ms. */
  readonly healthyDelayMs: number;
  /** Consecutive crash-at-start restarts before giving up (status `error` until the next use). Default 10. */
  readonly maxRestarts: number;
}

/** The smallest message limit a host may set (PROTOCOL.md §2.5): 1 MiB. */
export const MIN_MESSAGE_LIMIT = 1024 * 1024;
/** Default limit of one message on a control, function, source or sink-ack channel: 64 MiB. */
export const DEFAULT_MESSAGE_LIMIT = 64 * 1024 * 1024;

export type PluginEnv = Readonly<Record<string, string | undefined>>;

export interface SupervisorOptions {
  readonly timeouts?: Partial<HostTimeouts>;
  readonly restart?: Partial<RestartPolicy>;
  /** Folder of the socket files. Default /tmp: the reference SDKs hard-code it (§2.7). */
  readonly socketDir?: string;
  /** Interpreter for `python` plugins. Default `python`. */
  readonly pythonBin?: string;
  /** Interpreter for `nodejs` plugins. Default: this Node (`process.execPath`). */
  readonly nodeBin?: string;
  /** `conda` for `virtualEnvType: conda`. Default `conda`. */
  readonly condaBin?: string;
  /** Environment overrides for plugin processes (inherited otherwise); `undefined` removes a variable. */
  readonly env?: PluginEnv | ((plugin: InstalledPlugin) => PluginEnv);
  /** `lazy` (default): a process starts when a symbol is first used. `eager`: when installed or loaded. */
  readonly start?: "lazy" | "eager";
  /**
   * `spawn` (default): the host starts the plugin's program. `manual`: the
   * host only listens on the control channel and waits (`initMs`) for a
   * plugin that someone starts by hand, e.g. in a debugger (`portable
   * debug`); nothing is spawned, killed or restarted.
   */
  readonly launch?: "spawn" | "manual";
  readonly logger?: HostLogger;
  /**
   * Largest message the host accepts from a plugin on any one channel
   * (control, function, source, sink ack), checked when the frame header is
   * read, before anything is allocated (§2.5). Default 64 MiB; at least 1 MiB.
   */
  readonly maxMessageBytes?: number;
  /**
   * Protocol versions offered to plugins in PortableConfig (PROTOCOL.md §10.2):
   * ascending, no duplicates, containing 1. Default: every version this host
   * implements (`SUPPORTED_PROTOCOL_VERSIONS`, [1, 2]). `[1]` switches version 2
   * off: no `protocolVersions` key at all, exactly as a reference host. The
   * version a plugin announces is learned from its first control request (§10.4).
   * Version 2 is negotiated; its messages come in the next step: until then a
   * plugin that agreed on 2 is spoken to exactly as version 1.
   */
  readonly protocolVersions?: readonly number[];
  /**
   * Refuse a function call whose arguments, or a source or sink start whose
   * configuration, do not fit the types the plugin declares (PROTOCOL.md
   * §6.4.1), with PORTABLE_E_TYPE before the plugin sees it. Default true;
   * false trusts the plugin's own checks (a package's schemas are still
   * checked at install).
   */
  readonly checkTypes?: boolean;
}

export interface ResolvedSupervisorOptions {
  readonly timeouts: HostTimeouts;
  readonly restart: RestartPolicy;
  readonly socketDir: string;
  readonly pythonBin: string;
  readonly nodeBin: string;
  readonly condaBin: string;
  readonly env: (plugin: InstalledPlugin) => PluginEnv;
  readonly start: "lazy" | "eager";
  readonly launch: "spawn" | "manual";
  readonly logger: HostLogger;
  readonly maxMessageBytes: number;
  readonly protocolVersions: readonly number[];
  readonly checkTypes: boolean;
}

export const DEFAULT_TIMEOUTS: HostTimeouts = {
  initMs: 30_000,
  commandMs: 30_000,
  callMs: 5_000,
  sendMs: 5_000,
  ackMs: 5_000,
  stopGraceMs: 5_000,
};

export const DEFAULT_RESTART: RestartPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 60_000,
  resetAfterMs: 500,
  healthyDelayMs: 100,
  maxRestarts: 10,
};

export function resolveSupervisorOptions(o: SupervisorOptions = {}): ResolvedSupervisorOptions {
  const env = o.env;
  const maxMessageBytes = o.maxMessageBytes ?? DEFAULT_MESSAGE_LIMIT;
  if (!Number.isSafeInteger(maxMessageBytes) || maxMessageBytes < MIN_MESSAGE_LIMIT) {
    throw new RangeError(
      `maxMessageBytes must be an integer of at least ${MIN_MESSAGE_LIMIT} (1 MiB, PROTOCOL.md §2.5), got ${String(maxMessageBytes)}`,
    );
  }
  const protocolVersions = o.protocolVersions ?? SUPPORTED_PROTOCOL_VERSIONS;
  portableConfigArgument(1000, protocolVersions); // throws a RangeError on a bad offer (§10.2)
  const unknown = protocolVersions.filter((v) => !SUPPORTED_PROTOCOL_VERSIONS.includes(v));
  if (unknown.length > 0) {
    throw new RangeError(
      `protocolVersions ${JSON.stringify(protocolVersions)}: this host does not implement version ${unknown.join(", ")} (it implements ${JSON.stringify(SUPPORTED_PROTOCOL_VERSIONS)})`,
    );
  }
  return {
    timeouts: { ...DEFAULT_TIMEOUTS, ...o.timeouts },
    restart: { ...DEFAULT_RESTART, ...o.restart },
    socketDir: o.socketDir ?? DEFAULT_SOCKET_DIR,
    pythonBin: o.pythonBin ?? "python",
    nodeBin: o.nodeBin ?? process.execPath,
    condaBin: o.condaBin ?? "conda",
    env: typeof env === "function" ? env : () => env ?? {},
    start: o.start ?? "lazy",
    launch: o.launch ?? "spawn",
    logger: o.logger ?? stderrLogger(),
    maxMessageBytes,
    protocolVersions: [...protocolVersions],
    checkTypes: o.checkTypes ?? true,
  };
}
