// The literal messages of the control and function channels: the handshake
// and the plugin's answer to a command (PROTOCOL.md §4.2).

import { ProtocolError } from "../errors.js";

export const HANDSHAKE = "handshake";
export const ANSWER_OK = "ok";
const H = 0x68; // "h"

const text = (b: Uint8Array | string) =>
  typeof b === "string" ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("utf8");

export function encodeHandshake(): Buffer {
  return Buffer.from(HANDSHAKE);
}

/** Exactly `handshake`. */
export function isHandshake(b: Uint8Array | string): boolean {
  return text(b) === HANDSHAKE;
}

/**
 * True when a message on a channel where the host waits for an answer must be
 * taken as a keepalive handshake: the reference host looks at the first byte
 * only (PROTOCOL.md §5.2). So no answer may start with "h".
 */
export function startsLikeHandshake(b: Uint8Array | string): boolean {
  return typeof b === "string" ? b.charCodeAt(0) === H : b[0] === H;
}

export type Answer = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * The plugin's answer to a command: `ok`, or an error text. An error text that
 * would start with "h" (or be empty, or be "ok") is prefixed with "error: " so
 * no host can mistake it for a handshake or for success.
 */
export function encodeAnswer(answer: Answer): Buffer {
  if (answer.ok) return Buffer.from(ANSWER_OK);
  const t = answer.error;
  const safe = t === "" || t === ANSWER_OK || t.charCodeAt(0) === H ? `error: ${t}` : t;
  return Buffer.from(safe, "utf8");
}

export function decodeAnswer(b: Uint8Array | string): Answer {
  const t = text(b);
  if (t === ANSWER_OK) return { ok: true };
  if (t === HANDSHAKE) {
    throw new ProtocolError(
      "PORTABLE_E_DECODE",
      "Answer",
      "",
      "got a handshake where an answer was expected",
    );
  }
  return { ok: false, error: t };
}
