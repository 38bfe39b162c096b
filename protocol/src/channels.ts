// Where each channel lives (PROTOCOL.md §5.1). The reference SDKs hard-code
// these ipc paths in /tmp from the plugin, rule, op and symbol names, so host
// and plugin must derive them identically.

import type { Meta } from "./gen/portable.js";
import { instanceKey } from "./messages/control.js";

/** The folder the reference implementations put every socket file in. */
export const DEFAULT_SOCKET_DIR = "/tmp";

/** Longest Unix socket path Linux accepts (sun_path is 108 bytes with its NUL). */
export const MAX_IPC_PATH_BYTES = 107;

const ipc = (dir: string, file: string) => `ipc://${dir.replace(/\/+$/, "")}/${file}`;

/** Control channel of a plugin process: host listens (REP), plugin dials (REQ). */
export function controlChannelUrl(plugin: string, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(dir, `plugin_${plugin}.ipc`);
}

/** Source data channel: host listens (PULL), plugin dials (PUSH). */
export function sourceChannelUrl(meta: Meta, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(dir, `${instanceKey(meta)}.ipc`);
}

/** Sink data channel: plugin listens (PULL), host dials (PUSH). Same name as a source's. */
export const sinkChannelUrl = sourceChannelUrl;

/** Sink ack channel: host listens (PULL), plugin dials (PUSH). */
export function sinkAckChannelUrl(meta: Meta, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(dir, `${instanceKey(meta)}_ack.ipc`);
}

/** Function channel: host listens (REP), plugin dials (REQ). Keyed by symbol alone (§9.3). */
export function functionChannelUrl(symbol: string, dir = DEFAULT_SOCKET_DIR): string {
  return ipc(dir, `func_${symbol}.ipc`);
}

/** The file system path of an `ipc://` URL. */
export function ipcPath(url: string): string {
  if (!url.startsWith("ipc://")) throw new TypeError(`not an ipc:// URL: ${url}`);
  return url.slice("ipc://".length);
}
