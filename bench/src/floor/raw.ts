// The floor every bench row is compared with (the root bench's and the nng
// bench's in src/nng/): a bare Unix socket carrying our own u32 BE
// length-prefixed frames. No SP header, no protocol state, no promises per
// message; only what any framed stream over node:net must pay.
import { createConnection, createServer, type Server, type Socket } from "node:net";

/** Calls `onFrame` with each complete frame body arriving on `sock`. */
export function readFrames(sock: Socket, onFrame: (body: Buffer) => void): void {
  let pending: Buffer | undefined;
  sock.on("data", (chunk: Buffer) => {
    const buf = pending ? Buffer.concat([pending, chunk]) : chunk;
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (buf.length - off - 4 < len) break;
      onFrame(buf.subarray(off + 4, off + 4 + len));
      off += 4 + len;
    }
    pending = off < buf.length ? buf.subarray(off) : undefined;
  });
}

export function header(len: number): Buffer {
  const h = Buffer.allocUnsafe(4);
  h.writeUInt32BE(len);
  return h;
}

export function listenRaw(path: string, onConn: (s: Socket) => void): Promise<Server> {
  return new Promise((resolve, reject) => {
    const srv = createServer(onConn);
    srv.once("error", reject);
    srv.listen(path, () => resolve(srv));
  });
}

export function dialRaw(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path, () => resolve(s));
    s.once("error", reject);
  });
}

/** Writes `count` frames of `body`, corked in batches, honouring backpressure. */
export async function streamFrames(sock: Socket, body: Buffer, count: number): Promise<void> {
  const h = header(body.length);
  let sent = 0;
  while (sent < count) {
    sock.cork();
    let ok = true;
    for (let k = 0; k < 64 && sent < count; k++, sent++) {
      sock.write(h);
      ok = sock.write(body);
    }
    sock.uncork();
    if (!ok) await new Promise((r) => sock.once("drain", r));
  }
}

/** One ping-pong: send a frame, resolve when the echoed frame is back. */
export function rawPinger(sock: Socket): (body: Buffer) => Promise<void> {
  let waiter: (() => void) | undefined;
  readFrames(sock, () => {
    const w = waiter;
    waiter = undefined;
    w?.();
  });
  return (body) =>
    new Promise<void>((resolve) => {
      waiter = resolve;
      sock.cork();
      sock.write(header(body.length));
      sock.write(body);
      sock.uncork();
    });
}
