// The three implementations the bench compares, behind one shape: a server
// side (REP echo, PULL counter) that runs in the child process and a client
// side (REQ ping-pong, PUSH stream) that runs in the parent.
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { dialRaw, listenRaw, rawPinger, readFrames, streamFrames } from "../floor/raw.js";

export type ImplName = "raw" | "nng" | "nanomsg";

export interface Closer {
  close(): Promise<void>;
}

export interface Impl {
  serveEcho(url: string): Promise<Closer>;
  servePull(url: string, onMessage: (len: number) => void): Promise<Closer>;
  dialReq(url: string): Promise<Closer & { roundTrip(body: Buffer): Promise<void> }>;
  dialPush(url: string): Promise<Closer & { sendMany(body: Buffer, n: number): Promise<void> }>;
}

const ipcPath = (url: string) => url.replace(/^ipc:\/\//, "");

const raw: Impl = {
  async serveEcho(url) {
    const socks = new Set<Socket>();
    const srv = await listenRaw(ipcPath(url), (s) => {
      socks.add(s);
      readFrames(s, (body) => {
        const h = Buffer.allocUnsafe(4);
        h.writeUInt32BE(body.length);
        s.cork();
        s.write(h);
        s.write(body);
        s.uncork();
      });
    });
    return { close: () => closeServer(srv, socks) };
  },
  async servePull(url, onMessage) {
    const socks = new Set<Socket>();
    const srv = await listenRaw(ipcPath(url), (s) => {
      socks.add(s);
      readFrames(s, (body) => onMessage(body.length));
    });
    return { close: () => closeServer(srv, socks) };
  },
  async dialReq(url) {
    const s = await dialRaw(ipcPath(url));
    return { roundTrip: rawPinger(s), close: async () => void s.destroy() };
  },
  async dialPush(url) {
    const s = await dialRaw(ipcPath(url));
    return {
      sendMany: (body, n) => streamFrames(s, body, n),
      close: () => new Promise<void>((r) => s.end(r)),
    };
  },
};

function closeServer(srv: import("node:net").Server, socks: Set<Socket>): Promise<void> {
  for (const s of socks) s.destroy();
  return new Promise((r) => srv.close(() => r()));
}

// Loaded on first use, so `--impl raw,nanomsg` runs without a build of ours.
const ours = () => import("@portable-plugins/nng");

const nng: Impl = {
  async serveEcho(url) {
    const rep = new (await ours()).RepSocket();
    await rep.listen(url);
    void (async () => {
      try {
        for (;;) await rep.send(await rep.recv());
      } catch {
        // closed: the loop ends with the socket
      }
    })();
    return { close: () => rep.close() };
  },
  async servePull(url, onMessage) {
    const pull = new (await ours()).PullSocket();
    await pull.listen(url);
    void (async () => {
      try {
        for await (const m of pull) onMessage(m.length);
      } catch {
        // closed
      }
    })();
    return { close: () => pull.close() };
  },
  async dialReq(url) {
    const req = new (await ours()).ReqSocket();
    await req.dial(url);
    return {
      async roundTrip(body) {
        await req.send(body);
        await req.recv();
      },
      close: () => req.close(),
    };
  },
  async dialPush(url) {
    const push = new (await ours()).PushSocket();
    await push.dial(url);
    return {
      async sendMany(body, n) {
        for (let i = 0; i < n; i++) await push.send(body);
      },
      close: () => push.close(),
    };
  },
};

// --- libnanomsg through the `nanomsg` npm binding (CommonJS, native) ---------

interface NanoSock {
  bind(a: string): unknown;
  connect(a: string): unknown;
  send(b: Buffer): number;
  on(ev: "data", cb: (b: Buffer) => void): void;
  once(ev: "data", cb: (b: Buffer) => void): void;
  close(): void;
}
type NanoFactory = (type: string, opts?: Record<string, unknown>) => NanoSock;

let nanoSocket: NanoFactory | undefined;
export function nanomsgLoadError(): string | undefined {
  try {
    nanoSocket ??= (createRequire(import.meta.url)("nanomsg") as { socket: NanoFactory }).socket;
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

const sock = (type: string) => {
  const err = nanomsgLoadError();
  if (err) throw new Error(`nanomsg binding unavailable: ${err}`);
  return nanoSocket!(type);
};

// nanomsg connects in the background: give the pipe time to come up before timing.
const settle = () => new Promise((r) => setTimeout(r, 100));

const nanomsg: Impl = {
  async serveEcho(url) {
    const rep = sock("rep");
    rep.bind(url);
    rep.on("data", (m) => rep.send(m));
    return { close: async () => void rep.close() };
  },
  async servePull(url, onMessage) {
    const pull = sock("pull");
    pull.bind(url);
    pull.on("data", (m) => onMessage(m.length));
    return { close: async () => void pull.close() };
  },
  async dialReq(url) {
    const req = sock("req");
    req.connect(url);
    await settle();
    return {
      roundTrip: (body) =>
        new Promise<void>((resolve) => {
          req.once("data", () => resolve());
          req.send(body);
        }),
      close: async () => void req.close(),
    };
  },
  async dialPush(url) {
    const push = sock("push");
    push.connect(url);
    await settle();
    return {
      async sendMany(body, n) {
        // The binding queues in JS and drains on writability; yield now and
        // then so that queue stays short.
        for (let i = 0; i < n; i++) {
          push.send(body);
          if (i % 1024 === 1023) await new Promise((r) => setImmediate(r));
        }
      },
      close: async () => void push.close(),
    };
  },
};

export const IMPLS: Record<ImplName, Impl> = { raw, nng, nanomsg };
