// Shared test fixtures: unique ipc paths (parallel runs never collide), raw SP peers built on
// node:net for byte-level checks, a registry that closes every socket a test opened, and polling.
import { randomBytes } from "node:crypto";
import { connect, createServer, type Socket as NetSocket, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import type { Socket } from "../src/index.js";

export function ipcPath(tag = "t"): string {
  return join(tmpdir(), `nng-${tag}-${process.pid}-${randomBytes(6).toString("hex")}.ipc`);
}

export function ipcUrl(tag?: string): string {
  return `ipc://${ipcPath(tag)}`;
}

const opened = new Set<{ close(): unknown }>();

/** Registers a socket (or raw server/stream) to be closed after the current test. */
export function track<T extends Socket>(socket: T): T {
  opened.add(socket);
  return socket;
}

afterEach(async () => {
  await Promise.all([...opened].map((s) => s.close()));
  opened.clear();
});

export async function waitFor(check: () => boolean, timeoutMs = 5000, what = "condition") {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

/** A raw stream connected to `url`, collecting everything the peer sends. */
export async function rawDial(url: string): Promise<RawPeer> {
  const stream = url.startsWith("ipc://")
    ? connect({ path: url.slice("ipc://".length) })
    : connect({
        host: url.slice(6, url.lastIndexOf(":")),
        port: Number(url.slice(url.lastIndexOf(":") + 1)),
      });
  await new Promise<void>((resolve, reject) => {
    stream.once("connect", resolve);
    stream.once("error", reject);
  });
  return new RawPeer(stream);
}

/** A raw server: resolves each accepted connection through `next()`. */
export async function rawListen(url: string): Promise<RawServer> {
  const server = createServer();
  const raw = new RawServer(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (url.startsWith("ipc://")) server.listen({ path: url.slice("ipc://".length) }, resolve);
    else server.listen({ host: "127.0.0.1", port: 0 }, resolve);
  });
  opened.add(raw);
  return raw;
}

export class RawServer {
  private readonly server: Server;
  private readonly accepted: RawPeer[] = [];
  private readonly waiting: ((peer: RawPeer) => void)[] = [];

  constructor(server: Server) {
    this.server = server;
    server.on("connection", (stream) => {
      const peer = new RawPeer(stream);
      const waiter = this.waiting.shift();
      if (waiter) waiter(peer);
      else this.accepted.push(peer);
    });
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === "object" && address !== null ? address.port : 0;
  }

  next(): Promise<RawPeer> {
    const peer = this.accepted.shift();
    if (peer) return Promise.resolve(peer);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export class RawPeer {
  readonly stream: NetSocket;
  received = Buffer.alloc(0);
  ended = false;

  constructor(stream: NetSocket) {
    this.stream = stream;
    opened.add(this);
    stream.on("data", (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
    });
    stream.on("close", () => {
      this.ended = true;
    });
    stream.on("error", () => {});
  }

  write(data: Buffer | string): Promise<void> {
    const bytes = typeof data === "string" ? hex(data) : data;
    return new Promise((resolve, reject) =>
      this.stream.write(bytes, (err) => (err ? reject(err) : resolve())),
    );
  }

  /** Waits until at least `n` bytes arrived; returns (and consumes) exactly `n`. */
  async read(n: number, timeoutMs = 5000): Promise<Buffer> {
    await waitFor(() => this.received.length >= n || this.ended, timeoutMs, `${n} bytes`);
    if (this.received.length < n)
      throw new Error(`peer closed after ${this.received.length} bytes`);
    const out = this.received.subarray(0, n);
    this.received = this.received.subarray(n);
    return out;
  }

  async waitClosed(timeoutMs = 5000): Promise<void> {
    await waitFor(() => this.ended, timeoutMs, "the peer to close the connection");
  }

  close(): Promise<void> {
    this.stream.destroy();
    return Promise.resolve();
  }
}
