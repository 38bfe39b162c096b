// Opens a socket by protocol name, for hosts that pick the pattern from configuration.
import type { SocketOptions } from "./options.js";
import { PairSocket } from "./pair.js";
import { PullSocket } from "./pull.js";
import { PushSocket } from "./push.js";
import { RepSocket } from "./rep.js";
import { ReqSocket } from "./req.js";

export interface SocketTypes {
  req: ReqSocket;
  rep: RepSocket;
  push: PushSocket;
  pull: PullSocket;
  pair: PairSocket;
}

export type SocketKind = keyof SocketTypes;

export function openSocket<K extends SocketKind>(kind: K, options?: SocketOptions): SocketTypes[K] {
  switch (kind) {
    case "req":
      return new ReqSocket(options) as SocketTypes[K];
    case "rep":
      return new RepSocket(options) as SocketTypes[K];
    case "push":
      return new PushSocket(options) as SocketTypes[K];
    case "pull":
      return new PullSocket(options) as SocketTypes[K];
    case "pair":
      return new PairSocket(options) as SocketTypes[K];
    default:
      throw new TypeError(`unknown socket kind "${String(kind)}" (req, rep, push, pull, pair)`);
  }
}
