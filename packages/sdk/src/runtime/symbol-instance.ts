// What every running symbol instance offers the plugin runtime, and the
// settings the runtime passes down.

import type { Logger } from "../api.js";

export interface SymbolInstance {
  /** Stops the instance: aborts its context, closes its sockets, calls the user's close. Never throws. */
  stop(): Promise<void>;
}

export interface RuntimeSettings {
  readonly plugin: string;
  /** Folder of the ipc socket files (PROTOCOL.md §2.7). */
  readonly socketDir: string;
  /** PortableConfig.sendTimeout: ms a data-channel send may wait. */
  readonly sendTimeout: number;
  /** ms of host silence before a keepalive handshake (§5.2). */
  readonly keepaliveMs: number;
  /**
   * The protocol version agreed with the host (§10.3). Version 2 is
   * negotiated; its messages come in the next step: only the handshakes differ.
   */
  readonly protocolVersion: number;
  readonly logger: Logger;
  /** The logger of one symbol or instance, named by `scope`. */
  readonly loggerFor: (scope: string) => Logger;
}
