// Payloads and endpoints shared by the interop tests.
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Message i of a numbered stream: u32 BE i, then (i + k) & 0xff. Same bytes as
 * `numbered()` in pynng_peer.py, so both sides can check a stream by digest.
 */
export function numbered(i: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(i >>> 0);
  head.copy(b, 0, 0, Math.min(4, size));
  for (let k = 0; k < size - 4; k++) b[4 + k] = (i + k) & 0xff;
  return b;
}

/** sha256 over u32 BE length + bytes of each message, in order (as pynng_peer.py). */
export function streamDigest(msgs: Iterable<Uint8Array>): string {
  const h = createHash("sha256");
  const len = Buffer.alloc(4);
  for (const m of msgs) {
    len.writeUInt32BE(m.length);
    h.update(len);
    h.update(m);
  }
  return h.digest("hex");
}

export function expectedDigest(count: number, size: number): string {
  return streamDigest(Array.from({ length: count }, (_, i) => numbered(i, size)));
}

/** 1.5 MiB: above legacy nanomsg's 1 MiB default receive limit on purpose. */
export const BIG = 1536 * 1024;

/** Request payloads every REQ/REP case sends, in this order. */
export function requestPayloads(): Buffer[] {
  return [
    Buffer.from("handshake"),
    Buffer.alloc(0),
    Buffer.from([0x00, 0x80, 0xff, 0x01, 0x00]),
    randomBytes(4096),
    numbered(7, BIG),
  ];
}

export type Transport = "ipc" | "tcp";
export const TRANSPORTS: Transport[] = ["ipc", "tcp"];

/** A private directory per test file for ipc sockets; `cleanup` proves it is gone. */
export class IpcDir {
  private made: string | undefined;

  /** Made on first use, so a file whose tests are all skipped leaves nothing behind. */
  get path(): string {
    this.made ??= mkdtempSync(join(tmpdir(), "nng-it-"));
    return this.made;
  }

  url(tag: string): string {
    // Unix socket paths are capped at 108 bytes; tmpdir + 30 stays well below.
    return `ipc://${join(this.path, `${tag}-${randomBytes(4).toString("hex")}.ipc`)}`;
  }

  /** Socket files peers left behind (nngcat exits without closing its listener). */
  leftovers(): string[] {
    return this.made && existsSync(this.made) ? readdirSync(this.made) : [];
  }

  clear(): void {
    for (const f of this.leftovers()) rmSync(join(this.path, f), { force: true });
  }

  remove(): void {
    if (!this.made) return;
    rmSync(this.made, { recursive: true, force: true });
    if (existsSync(this.made)) throw new Error(`could not remove ${this.made}`);
    this.made = undefined;
  }
}

export function ipcPath(url: string): string {
  return url.slice("ipc://".length);
}

/** A TCP port that was free a moment ago, for peers that cannot listen on port 0. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() =>
        typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A listen URL: ipc in `dir`, or tcp on a port of the peer's choice (0) or a free one. */
export async function listenUrl(t: Transport, dir: IpcDir, tag: string, port0 = true) {
  if (t === "ipc") return dir.url(tag);
  return `tcp://127.0.0.1:${port0 ? 0 : await freePort()}`;
}
