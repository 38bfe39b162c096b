// The plugin side of an inverted request/reply channel (PROTOCOL.md §4.2,
// §5.2): the control channel and every function channel. The plugin's REQ
// socket sends `handshake`, each reply is a command (or call) from the host,
// and the plugin's answer goes back as its next request. When the host stays
// silent for `keepaliveMs` the plugin sends `handshake` again, which keeps
// the channel alive and lets a host that lost the answer re-send its command.
// Every handshake has the form of the agreed version (§10.3): `handshake v=N`
// for N ≥ 2, the plain 9 bytes for version 1.

import { NngError, type ReqSocket } from "@portable-plugins/nng";
export interface InvertedReqOptions {
  /** The handshake bytes of the agreed version (formatHandshake(version), §10.3). */
  readonly handshake: Buffer;
  /** ms of host silence after which `handshake` is sent again; 0 or Infinity: never. */
  readonly keepaliveMs: number;
  readonly signal: AbortSignal;
  /** The caller already sent the first `handshake` (a function channel does, before answering its start). */
  readonly handshakeSent?: boolean;
}

/**
 * Serves until `signal` aborts or the socket closes. `handle` turns each
 * message from the host into the answer; it must not throw (answer errors).
 */
export async function serveInvertedReq(
  socket: ReqSocket,
  handle: (message: Buffer) => Promise<Buffer>,
  options: InvertedReqOptions,
): Promise<void> {
  const handshake = options.handshake;
  const k = options.keepaliveMs;
  socket.setOption("recvTimeout", k > 0 && Number.isFinite(k) ? k : Number.POSITIVE_INFINITY);
  let outgoing: Buffer | undefined = options.handshakeSent ? undefined : handshake;
  while (!options.signal.aborted) {
    try {
      if (outgoing) await socket.send(outgoing);
      outgoing = await handle(await socket.recv());
    } catch (err) {
      if (NngError.is(err, "PORTABLE_E_TIMEOUT") || NngError.is(err, "PORTABLE_E_CANCELLED")) {
        outgoing = handshake;
        continue;
      }
      if (NngError.is(err, "PORTABLE_E_CLOSED") || options.signal.aborted) return;
      throw err;
    }
  }
}
