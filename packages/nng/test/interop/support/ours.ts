// Our sockets as the interop tests use them: short, finite deadlines (a hang
// becomes a PORTABLE_E_TIMEOUT with a message, not a vitest timeout), fast
// reconnects, and a registry so afterEach closes whatever a test opened.
import { existsSync } from "node:fs";
import { afterAll, afterEach, expect } from "vitest";
import {
  type NngError,
  PairSocket,
  PullSocket,
  PushSocket,
  RepSocket,
  ReqSocket,
  type SocketOptions,
} from "../../../src/index.js";
import { type IpcDir, ipcPath, listenUrl, type Transport } from "./fixtures.js";
import type { LinePeer, PeerDriver, PeerProto } from "./line-peer.js";
import { assertNoneAlive, reapAll } from "./processes.js";

export type Ours = ReqSocket | RepSocket | PushSocket | PullSocket | PairSocket;

const open = new Set<Ours>();

export const FAST: SocketOptions = {
  sendTimeout: 10_000,
  recvTimeout: 10_000,
  reconnectTime: 50,
  reconnectMaxTime: 200,
};

export const ours = {
  req: (o: SocketOptions = {}) => track(new ReqSocket({ ...FAST, ...o })),
  rep: (o: SocketOptions = {}) => track(new RepSocket({ ...FAST, ...o })),
  push: (o: SocketOptions = {}) => track(new PushSocket({ ...FAST, ...o })),
  pull: (o: SocketOptions = {}) => track(new PullSocket({ ...FAST, ...o })),
  pair: (o: SocketOptions = {}) => track(new PairSocket({ ...FAST, ...o })),
};

function track<T extends Ours>(s: T): T {
  open.add(s);
  return s;
}

export async function closeAllOurs(): Promise<void> {
  await Promise.all([...open].map((s) => s.close()));
  open.clear();
}

/**
 * Listens on a fresh endpoint of transport `t` and returns the URL a peer
 * dials (for tcp, with the port the kernel chose for port 0).
 */
export async function listenOn(s: Ours, t: Transport, dir: IpcDir, tag: string): Promise<string> {
  if (t === "ipc") {
    const url = dir.url(tag);
    await s.listen(url);
    return url;
  }
  const l = await s.listen("tcp://127.0.0.1:0");
  if (!l.port) throw new Error(`tcp listener reported no port (url ${l.url})`);
  return `tcp://127.0.0.1:${l.port}`;
}

/** Closes `s` and checks that an ipc listener took its socket file with it. */
export async function closeAndCheckFile(s: Ours, url: string): Promise<void> {
  await s.close();
  if (url.startsWith("ipc://") && existsSync(ipcPath(url))) {
    throw new Error(`our listener left its ipc file behind: ${ipcPath(url)}`);
  }
}

/** Who listens, on what, and the socket-file tags of each side. */
export interface RoleSetup {
  t: Transport;
  dir: IpcDir;
  weListen: boolean;
  /** The tag of our listener's endpoint. */
  ours: string;
  /** The peer's protocol (also the tag of its listener's endpoint). */
  theirs: PeerProto;
}

/**
 * Connects our socket `s` to a new peer socket: ours listens and theirs
 * dials when `weListen`, the other way round otherwise. `end` closes ours
 * and, when it listened, checks that its ipc file went with it.
 */
export async function connectByRole(
  peer: PeerDriver,
  s: Ours,
  { t, dir, weListen, ours: tag, theirs: proto }: RoleSetup,
): Promise<{ theirs: LinePeer; end: () => Promise<void> }> {
  if (weListen) {
    const url = await listenOn(s, t, dir, tag);
    const theirs = await peer.start({ proto, dial: url });
    return { theirs, end: () => closeAndCheckFile(s, url) };
  }
  const theirs = await peer.start({ proto, listen: await listenUrl(t, dir, proto) });
  await s.dial(theirs.url);
  return { theirs, end: async () => {} };
}

/** The promise's NngError (or a thrown Error if it resolved), for code assertions. */
export async function rejection(p: Promise<unknown>): Promise<NngError> {
  try {
    await p;
  } catch (e) {
    return e as NngError;
  }
  throw new Error("expected a rejection, but the operation succeeded");
}

/**
 * The hooks of a test file whose peers close cleanly: after each test, our
 * sockets are closed, every peer is reaped and no ipc file may remain (both
 * libraries remove their own); after all, the directory is removed.
 */
export function cleanupHooks(dir: IpcDir): void {
  afterEach(async () => {
    await closeAllOurs();
    await reapAll();
    assertNoneAlive();
    const left = dir.leftovers();
    dir.clear();
    expect(left).toEqual([]);
  });
  afterAll(() => {
    dir.remove();
  });
}
