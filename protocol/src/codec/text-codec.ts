// Codecs of the messages that are text on the wire, not JSON (schema option
// `text_form`, PROTOCOL.md §4.2): the handshake with its versioned grammar
// (§10.3) and the answer to a command (§4.2.3). The schema declares their
// decoded form; the grammar of each form is here, once.

import { ProtocolError } from "../errors.js";
import type { MessageDescriptor } from "./descriptor.js";
import { assembleCodec, decodeError, type MessageCodec } from "./schema-codec.js";
import type { Decoded } from "./warnings.js";

interface TextForm {
  parse(text: string, kind: string): Record<string, unknown>;
  format(value: Record<string, unknown>, kind: string): string;
}

const HANDSHAKE = "handshake";
const VERSION_SUFFIX = " v=";
/** `version` of §10.3: 2..9 followed by any digits, or 1 followed by at least one digit. */
const VERSION = /^(?:[2-9][0-9]*|1[0-9]+)$/;

const shown = (t: string) => JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);

const handshake: TextForm = {
  parse(text, kind) {
    if (text === HANDSHAKE) return { handshake: true };
    if (text.startsWith(HANDSHAKE + VERSION_SUFFIX)) {
      const digits = text.slice(HANDSHAKE.length + VERSION_SUFFIX.length);
      const version = Number(digits);
      if (VERSION.test(digits) && Number.isSafeInteger(version))
        return { handshake: true, version };
      throw decodeError(
        kind,
        "version",
        `expected a version >= 2 without leading zeros, got ${shown(digits)}`,
      );
    }
    throw decodeError(
      kind,
      "",
      `expected "handshake" or "handshake v=<version>", got ${shown(text)}`,
    );
  },
  format(value, kind) {
    const v = value["version"];
    if (v === undefined || v === null || v === 0 || v === 1) return HANDSHAKE;
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 1) {
      throw new ProtocolError(
        "PORTABLE_E_ENCODE",
        kind,
        "version",
        `not a protocol version: ${String(v)}`,
      );
    }
    return `${HANDSHAKE}${VERSION_SUFFIX}${v}`;
  },
};

const OK = "ok";
const H = 0x68; // "h": the first byte of every handshake form (§5.2)

const answer: TextForm = {
  parse(text, kind) {
    if (text === OK) return { ok: true };
    if (isHandshakeText(text))
      throw decodeError(kind, "", "got a handshake where an answer was expected");
    return { ok: false, error: text };
  },
  /**
   * `ok`, or the error text. A text that would start with "h" (or be empty,
   * or be "ok") is prefixed with "error: " so no host can mistake it for a
   * handshake or for success (§4.2.3).
   */
  format(value) {
    if (value["ok"] === true) return OK;
    const t = typeof value["error"] === "string" ? value["error"] : "";
    return t === "" || t === OK || t.charCodeAt(0) === H ? `error: ${t}` : t;
  },
};

function isHandshakeText(text: string): boolean {
  try {
    handshake.parse(text, "Handshake");
    return true;
  } catch {
    return false;
  }
}

const FORMS: Readonly<Record<string, TextForm>> = { handshake, answer };

const textOf = (input: Uint8Array | string) =>
  typeof input === "string"
    ? input
    : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8");

/** The codec of a message whose descriptor names a text form. */
export function defineTextCodec<T>(d: MessageDescriptor): MessageCodec<T> {
  const form = d.textForm === undefined ? undefined : FORMS[d.textForm];
  if (!form) throw new Error(`${d.name}: no text form ${String(d.textForm)}`);
  const fromJson = (json: unknown, path = ""): T => {
    if (typeof json !== "string") throw decodeError(d.name, path, "expected the message's text");
    return form.parse(json, d.name) as T;
  };
  const decodeWithWarnings = (input: Uint8Array | string): Decoded<T> => ({
    value: form.parse(textOf(input), d.name) as T,
    warnings: [],
  });
  return assembleCodec(d, fromJson, decodeWithWarnings, (value) =>
    form.format(value as Record<string, unknown>, d.name),
  );
}
