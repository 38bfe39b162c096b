// Helpers over the text messages of the control and function channels
// (PROTOCOL.md §4.2): the handshake, with its versioned form (§10.3), and the
// plugin's answer to a command. Their codecs are generated from the schema
// (Handshake, Answer); the grammar is in ../codec/text-codec.ts.

import { Answer, Handshake } from "../gen/portable.js";

/** The version-1 handshake, the literal every reference SDK sends. */
export const HANDSHAKE = Handshake.encodeToString({ handshake: true });
export const ANSWER_OK = Answer.encodeToString({ ok: true });
const H = 0x68; // "h"

/** The handshake a plugin that agreed on `version` sends (§10.3): plain `handshake` for version 1. */
export function formatHandshake(version = 1): Buffer {
  return Handshake.encode({ handshake: true, version });
}

/**
 * The version a handshake announces (1 for the plain `handshake`), or
 * undefined when the bytes are not a handshake of any version (§10.3, §10.4).
 */
export function parseHandshake(b: Uint8Array | string): number | undefined {
  try {
    return Handshake.decode(b).version ?? 1;
  } catch {
    return undefined;
  }
}

export function encodeHandshake(): Buffer {
  return formatHandshake(1);
}

/** Exactly `handshake` (version 1). */
export function isHandshake(b: Uint8Array | string): boolean {
  return parseHandshake(b) === 1;
}

/**
 * True when a message on a channel where the host waits for an answer must be
 * taken as a keepalive handshake: the reference host looks at the first byte
 * only (PROTOCOL.md §5.2). So no answer may start with "h".
 */
export function startsLikeHandshake(b: Uint8Array | string): boolean {
  return typeof b === "string" ? b.charCodeAt(0) === H : b[0] === H;
}

/** An Answer narrowed by `ok`: a failure always carries its text (the text form guarantees it). */
export type AnswerResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

/**
 * The plugin's answer to a command: `ok`, or an error text. An error text that
 * would start with "h" (or be empty, or be "ok") is prefixed with "error: " so
 * no host can mistake it for a handshake or for success.
 */
export function encodeAnswer(answer: AnswerResult): Buffer {
  return Answer.encode(answer);
}

/** Refuses a handshake (any version) where an answer was expected. */
export function decodeAnswer(b: Uint8Array | string): AnswerResult {
  return Answer.decode(b) as AnswerResult;
}
