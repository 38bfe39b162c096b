// The contract between a socket and the dialers and listeners it owns: what they need from it
// (PipeHost) and how they follow the pipes they created (PipeWatcher). Kept apart from socket.ts
// so dialer.ts and listener.ts depend on this small interface, not on the socket that imports them.
import type { Socket as NetSocket } from "node:net";
import type { NngError } from "./errors.js";
import type { SocketProtocol } from "./header.js";
import type { ResolvedOptions } from "./options.js";
import type { Pipe, PipeInfo } from "./pipe.js";
import type { Address } from "./url.js";

/** A connection a listener closed at once because it already held `maxPeers` connections. */
export interface RefusedConnection {
  /** The listener's URL. */
  readonly url: string;
  /** "host:port" for tcp; the socket path for ipc (Node cannot tell which process connected). */
  readonly remoteAddress: string;
  /** Connections the listener held when it refused this one. */
  readonly peers: number;
  readonly maxPeers: number;
  readonly at: Date;
}

/** Lets a dialer or listener follow the pipes it created. */
export interface PipeWatcher {
  opened(pipe: Pipe): void;
  closed(pipe: Pipe, error: NngError | undefined, wasOpen: boolean): void;
}

/** What dialers and listeners need from their socket. */
export interface PipeHost {
  readonly protocol: SocketProtocol;
  readonly options: Readonly<ResolvedOptions>;
  attach(stream: NetSocket, address: Address, side: "dial" | "listen", watcher?: PipeWatcher): Pipe;
  report(error: NngError, pipe?: PipeInfo): void;
  refused(connection: RefusedConnection): void;
}
