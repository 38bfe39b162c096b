// How long the driver waits for each thing (PROTOCOL.md §5.4). Shorter than a
// host's defaults where a conforming plugin is fast anyway, so that a broken
// plugin fails a case in seconds, not minutes.

export interface Timeouts {
  /** Spawn to the first control request. */
  readonly initMs: number;
  /** A command to its answer (keepalive re-sends included). */
  readonly commandMs: number;
  /** A function call to its reply. */
  readonly callMs: number;
  /** SIGTERM to SIGKILL (§3.4 stop grace). */
  readonly graceMs: number;
  /** The suite's PUSH send deadline on sink data channels. */
  readonly sendMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = {
  initMs: 10_000,
  commandMs: 10_000,
  callMs: 5_000,
  graceMs: 5_000,
  sendMs: 2_000,
};
