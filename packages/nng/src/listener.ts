// Listeners: accept connections on a tcp port or an ipc path and hand each to the socket as a
// pipe. Closing a listener closes the pipes it accepted and, for ipc, removes its socket file.
import { createServer, type Server } from "node:net";
import type { NngError } from "./errors.js";
import { listenIpc } from "./ipc-file.js";
import { mapOsError } from "./os-errors.js";
import type { Pipe } from "./pipe.js";
import type { PipeHost } from "./pipe-host.js";
import { type Address, formatTcpUrl } from "./url.js";

export interface Listener {
  /** The listening URL; for tcp with port 0, it carries the port actually bound. */
  readonly url: string;
  /** The bound tcp port (useful after listening on port 0); undefined for ipc. */
  readonly port: number | undefined;
  /** Connections this listener holds now (in the header exchange or open). */
  readonly peers: number;
  /** Stops accepting, closes the pipes this listener accepted. Idempotent. */
  close(): Promise<void>;
}

export interface ListenOptions {
  /**
   * Most connections this listener holds at once (counting those still in the header
   * exchange); a connection beyond it is closed as soon as it is accepted, before any byte is
   * read, and reported as a `refused` pipe event. 0 or absent: no limit.
   */
  maxPeers?: number;
}

/** Validates ListenOptions.maxPeers. */
export function checkMaxPeers(value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`listen option maxPeers must be an integer >= 0, got ${String(value)}`);
  }
  return value;
}

export async function startListener(
  host: PipeHost,
  address: Address,
  onClosed: () => void,
  maxPeers = 0,
): Promise<Listener> {
  const server = createServer();
  let url = address.url;
  let port: number | undefined;
  if (address.transport === "ipc") {
    await listenIpc(server, address.path, url, host.options.ipcMode, host.protocol);
  } else {
    await new Promise<void>((resolve, reject) => {
      server.once("error", (err) => reject(mapOsError(err, "listen", address.url, host.protocol)));
      const done = () => {
        server.removeAllListeners("error");
        resolve();
      };
      // Without a host Node binds "::" dual-stack (or 0.0.0.0): every interface, like NNG's "*".
      if (address.host === undefined) server.listen({ port: address.port }, done);
      else server.listen({ port: address.port, host: address.host }, done);
    });
    const bound = server.address();
    port = typeof bound === "object" && bound !== null ? bound.port : address.port;
    url = address.host === undefined ? `tcp://*:${port}` : formatTcpUrl(address.host, port);
  }
  return new SpListener(host, address, server, url, port, onClosed, maxPeers);
}

class SpListener implements Listener {
  readonly url: string;
  readonly port: number | undefined;
  private readonly server: Server;
  private readonly accepted = new Set<Pipe>();
  private closing: Promise<void> | undefined;
  private readonly onClosed: () => void;

  constructor(
    host: PipeHost,
    address: Address,
    server: Server,
    url: string,
    port: number | undefined,
    onClosed: () => void,
    maxPeers: number,
  ) {
    this.url = url;
    this.port = port;
    this.server = server;
    this.onClosed = onClosed;
    const pipeAddress: Address = { ...address, url };
    server.on("connection", (stream) => {
      if (this.closing !== undefined) {
        stream.destroy();
        return;
      }
      if (maxPeers > 0 && this.accepted.size >= maxPeers) {
        // Refused before reading a byte: the peer sees its connection closed at once.
        const remoteAddress =
          address.transport === "tcp"
            ? `${stream.remoteAddress ?? "?"}:${stream.remotePort ?? "?"}`
            : address.path;
        stream.destroy();
        host.refused({ url, remoteAddress, peers: this.accepted.size, maxPeers, at: new Date() });
        return;
      }
      const pipe = host.attach(stream, pipeAddress, "listen", {
        opened: () => {},
        closed: (p: Pipe, _error: NngError | undefined) => this.accepted.delete(p),
      });
      this.accepted.add(pipe);
    });
    // Accept failures (EMFILE...) must not crash the process: report them and keep listening.
    server.on("error", (err) => host.report(mapOsError(err, "listen", url, host.protocol)));
  }

  get peers(): number {
    return this.accepted.size;
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      const waits: Promise<void>[] = [];
      for (const pipe of this.accepted) {
        waits.push(pipe.done);
        pipe.close(undefined, true);
      }
      // Node unlinks the ipc file when the server closes; the callback fires once it is gone.
      waits.push(new Promise<void>((done) => this.server.close(() => done())));
      void Promise.all(waits).then(() => {
        this.onClosed();
        resolve();
      });
    });
    return this.closing;
  }
}
