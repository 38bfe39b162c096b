// Where each channel lives (PROTOCOL.md §2.5, §2.7, §5.1). The reference SDKs
// hard-code these ipc paths in /tmp from the plugin, rule, op and symbol
// names, so host and plugin must derive them identically: every package
// builds them with these functions.

import type { Meta } from "./gen/portable.js";
import { instanceKey } from "./messages/control.js";

/** The folder the reference implementations put every socket file in. */
export const DEFAULT_SOCKET_DIR = "/tmp";

/** Bytes of `sockaddr_un.sun_path` on Linux, including the path's terminating NUL. */
export const SUN_PATH_BYTES = 108;

/** Longest Unix socket path Linux accepts, in bytes: sun_path without its NUL (§2.5). */
export const MAX_IPC_PATH_BYTES = SUN_PATH_BYTES - 1;

const inDir = (dir: string, file: string) => `${dir.replace(/\/+$/, "")}/${file}`;
const ipc = (path: string) => `ipc://${path}`;

/** True when `path` (UTF-8) fits a Unix socket address (§2.5). */
export function fitsIpcPath(path: string): boolean {
  return Buffer.byteLength(path, "utf8") <= MAX_IPC_PATH_BYTES;
}

/** The socket file of a plugin's control channel: `<dir>/plugin_<plugin>.ipc`. */
export function controlSocketPath(plugin: string, dir = DEFAULT_SOCKET_DIR): string {
  return inDir(dir, `plugin_${plugin}.ipc`);
}

/** The socket file of a function's channel: `<dir>/func_<symbol>.ipc`. */
export function functionSocketPath(symbol: string, dir = DEFAULT_SOCKET_DIR): string {
  return inDir(dir, `func_${symbol}.ipc`);
}

/** The socket file of a plugin's version-2 state channel: `<dir>/state_<plugin>.ipc` (§13.2). */
export function stateSocketPath(plugin: string, dir = DEFAULT_SOCKET_DIR): string {
  return inDir(dir, `state_${plugin}.ipc`);
}

/** State channel (version 2 only, §13.2): host listens (REP), plugin dials (REQ). */
export function stateChannelUrl(plugin: string, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(stateSocketPath(plugin, dir));
}

/** Control channel of a plugin process: host listens (REP), plugin dials (REQ). */
export function controlChannelUrl(plugin: string, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(controlSocketPath(plugin, dir));
}

/** Source data channel: host listens (PULL), plugin dials (PUSH). */
export function sourceChannelUrl(meta: Meta, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(inDir(dir, `${instanceKey(meta)}.ipc`));
}

/** Sink data channel: plugin listens (PULL), host dials (PUSH). Same name as a source's. */
export const sinkChannelUrl = sourceChannelUrl;

/** Sink ack channel: host listens (PULL), plugin dials (PUSH). */
export function sinkAckChannelUrl(meta: Meta, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(inDir(dir, `${instanceKey(meta)}_ack.ipc`));
}

/** Function channel: host listens (REP), plugin dials (REQ). Keyed by symbol alone (§9.3). */
export function functionChannelUrl(symbol: string, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(functionSocketPath(symbol, dir));
}

/** The file system path of an `ipc://` URL. */
export function ipcPath(url: string): string {
  if (!url.startsWith("ipc://")) throw new TypeError(`not an ipc:// URL: ${url}`);
  return url.slice("ipc://".length);
}
