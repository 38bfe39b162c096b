// Socket options: names, defaults and validation. Defaults follow what the eKuiper host and
// mangos use (unlimited receive size, 100 ms reconnect) rather than NNG's 1 s reconnect.

export interface SocketOptions {
  /** ms a send may wait for a peer / for back-pressure to clear. Default Infinity (forever). */
  sendTimeout?: number;
  /** ms a recv may wait for a message. Default Infinity (forever). */
  recvTimeout?: number;
  /** Largest message accepted, in bytes; a longer frame closes the pipe. 0 = unlimited (default). */
  recvMaxSize?: number;
  /** ms before a dialer retries, and the first back-off step. Default 100. */
  reconnectTime?: number;
  /** Ceiling for the doubling back-off; 0 = no growth (default). */
  reconnectMaxTime?: number;
  /** REQ: ms before an unanswered request is sent again with the same id. 0 disables. Default 60000. */
  resendTime?: number;
  /** Permission bits for ipc socket files this socket creates. Default 0o600. */
  ipcMode?: number;
  /** ms a new connection may take to send its 8-byte SP header. 0 disables. Default 10000. */
  handshakeTimeout?: number;
}

export type OptionName = keyof SocketOptions;
export type ResolvedOptions = { [K in OptionName]-?: number };

export const DEFAULT_OPTIONS: Readonly<ResolvedOptions> = {
  sendTimeout: Number.POSITIVE_INFINITY,
  recvTimeout: Number.POSITIVE_INFINITY,
  recvMaxSize: 0,
  reconnectTime: 100,
  reconnectMaxTime: 0,
  resendTime: 60_000,
  ipcMode: 0o600,
  handshakeTimeout: 10_000,
};

export function resolveOptions(options: SocketOptions | undefined): ResolvedOptions {
  const resolved = { ...DEFAULT_OPTIONS };
  if (options === undefined) return resolved;
  for (const name of Object.keys(options) as OptionName[]) {
    const value = options[name];
    if (value === undefined) continue;
    if (!(name in DEFAULT_OPTIONS)) {
      throw new TypeError(`unknown socket option "${String(name)}"`);
    }
    resolved[name] = checkOption(name, value);
  }
  return resolved;
}

/** Validates one option value; negative or infinite timeouts mean "wait forever". */
export function checkOption(name: OptionName, value: number): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`socket option ${name} must be a number, got ${String(value)}`);
  }
  switch (name) {
    case "sendTimeout":
    case "recvTimeout":
      return value < 0 ? Number.POSITIVE_INFINITY : value;
    case "ipcMode":
      if (!Number.isInteger(value) || value < 0 || value > 0o777) {
        throw new RangeError(`ipcMode must be a permission mask 0..0o777, got ${value}`);
      }
      return value;
    default:
      if (value < 0 || !Number.isFinite(value)) {
        throw new RangeError(`socket option ${name} must be a finite number >= 0, got ${value}`);
      }
      return value;
  }
}
