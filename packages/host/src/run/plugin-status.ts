// What a managed plugin tells about itself: who uses it (open proxies and
// their rules), the REST status document (PROTOCOL.md §7.2) and the runtime
// info (phase, pid, restarts, handshake time) the host and debug server show.

import type { PluginStatus } from "@portable-plugins/protocol";
import type { Phase, PluginState } from "./plugin-state.js";

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
  /**
   * The protocol version agreed with the current (or last) process (§10.4);
   * undefined before its handshake. On version 2 the function channels carry
   * call batches (§12.3); the other channels still speak version 1.
   */
  readonly protocolVersion: number | undefined;
  /** Version 2: call batches sent on the open function channels, and the calls they held. */
  readonly functionBatches: { readonly batches: number; readonly calls: number };
}

/** Open proxies: id -> rule id (sources and sinks) or undefined (functions). */
export class PluginUsers {
  readonly #users = new Map<string, string | undefined>();

  attach(id: string, ruleId?: string): void {
    this.#users.set(id, ruleId);
  }

  detach(id: string): void {
    this.#users.delete(id);
  }

  get inUse(): boolean {
    return this.#users.size > 0;
  }

  /** Rule id of every open proxy (undefined for functions). */
  rules(): IterableIterator<string | undefined> {
    return this.#users.values();
  }
}

/**
 * The REST status document (§7.2). While an unexpected exit is recovered
 * from, `restarting` (not `error`), with `errMsg` the reason; `restarts`
 * and `lastReason` are added once there was a restart.
 */
export function pluginStatus(s: PluginState, users: PluginUsers): PluginStatus {
  const refCount: Record<string, number> = {};
  for (const rule of users.rules()) {
    if (rule !== undefined) refCount[rule] = (refCount[rule] ?? 0) + 1;
  }
  const phase = s.phase;
  const status: PluginStatus["status"] =
    s.recovering && (phase === "restarting" || phase === "starting" || phase === "replaying")
      ? "restarting"
      : phase === "idle" || phase === "starting"
        ? "initializing"
        : phase === "running" || phase === "replaying"
          ? "running"
          : phase === "restarting" || phase === "failed"
            ? "error"
            : "stop";
  const pid = s.proc?.alive ? s.proc.pid : undefined;
  const restarts = s.backoff.total;
  const version = s.protocolVersion ?? 1;
  return {
    refCount,
    status,
    errMsg: status === "error" ? s.errMsg : status === "restarting" ? s.lastReason : "",
    ...(pid === undefined ? {} : { pid }),
    ...(restarts > 0 ? { restarts } : {}),
    ...(s.lastReason ? { lastReason: s.lastReason } : {}),
    // Omitted when 1: a version-1 status document stays exactly as before (§10.5).
    ...(pid !== undefined && version > 1 ? { protocolVersion: version } : {}),
  };
}

/** Phase, pid, restarts, handshake time; `funcResends` = keepalive resends of the function channels. */
export function runtimeInfo(
  s: PluginState,
  funcResends: number,
  functionBatches: PluginRuntimeInfo["functionBatches"] = { batches: 0, calls: 0 },
): PluginRuntimeInfo {
  return {
    phase: s.phase,
    pid: s.proc?.alive ? s.proc.pid : undefined,
    restarts: s.backoff.total,
    handshakeMs: s.handshakeMs,
    errMsg: s.errMsg,
    keepaliveResends: (s.control?.resends ?? 0) + funcResends,
    protocolVersion: s.protocolVersion,
    functionBatches,
  };
}
