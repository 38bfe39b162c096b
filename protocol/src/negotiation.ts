// Version negotiation (PROTOCOL.md §10): the versions this codebase speaks,
// the host's offer in PortableConfig (§10.2), the plugin's reading of it and
// its choice (§10.3), and the host's learning table (§10.4). Pure functions;
// the host, the TS SDK and the conformance suite share them.
//
// Version 2 is negotiated here; its messages come in the next step. Until then
// both sides record the agreed version and behave as version 1 for every message.

import { isJsonObject } from "./json.js";
import { parseHandshake } from "./messages/control-channel.js";

/** Every protocol version this codebase implements, ascending (§10). */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = Object.freeze([1, 2]);

/** The PortableConfig key that carries the host's offer (§10.2). */
export const PROTOCOL_VERSIONS_KEY = "protocolVersions";

const HANDSHAKE_TEXT = "handshake";

/** True for an integer field ≥ 1 as §4.1 reads it (`1.5`, `"2"`, `null`, `0` are not). */
function isPositiveInteger(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 1;
}

/**
 * True when `versions` is a well-formed offer: a non-empty array of positive
 * integers, no duplicates (§10.3 step 1). Order is not checked by plugins.
 */
export function isValidVersionOffer(versions: unknown): versions is readonly number[] {
  if (!Array.isArray(versions) || versions.length === 0) return false;
  if (!versions.every(isPositiveInteger)) return false;
  return new Set(versions).size === versions.length;
}

/**
 * The host's offer read from a PortableConfig (the parsed JSON argument, or
 * anything else). Returns undefined when the offer is absent or bad: the
 * plugin then speaks version 1, and a bad offer is not a start-up error
 * (§10.3 step 1).
 */
export function readVersionOffer(config: unknown): readonly number[] | undefined {
  if (!isJsonObject(config)) return undefined;
  const offer = config[PROTOCOL_VERSIONS_KEY];
  return isValidVersionOffer(offer) ? offer : undefined;
}

/** The plugin's choice (§10.3 step 2 and 3). */
export type VersionChoice =
  | { readonly ok: true; readonly version: number }
  | { readonly ok: false; readonly offered: readonly number[]; readonly message: string };

/**
 * The highest version in `offer` that the plugin implements; version 1 when
 * there is no (valid) offer. No common version: `ok: false` with the stderr
 * line of §10.3 step 3 (the plugin then exits with status 2).
 */
export function chooseVersion(
  offer: readonly number[] | undefined,
  implemented: readonly number[] = SUPPORTED_PROTOCOL_VERSIONS,
): VersionChoice {
  if (offer === undefined) return { ok: true, version: 1 };
  let best: number | undefined;
  for (const v of offer) if (implemented.includes(v) && (best === undefined || v > best)) best = v;
  if (best !== undefined) return { ok: true, version: best };
  return {
    ok: false,
    offered: offer,
    message: `no common protocol version: host offers ${list(offer)}, plugin speaks ${list(implemented)}`,
  };
}

/** `[1,2]`, the way §10.3 writes sets in the stderr line. */
function list(versions: readonly number[]): string {
  return `[${versions.join(",")}]`;
}

/**
 * The PortableConfig a host writes (§3.1, §10.2): `protocolVersions` only
 * when it offers more than version 1 (a version-1 host never writes the key).
 */
export function portableConfigArgument(
  sendTimeout: number,
  offer: readonly number[] = [1],
): string {
  if (!isValidVersionOffer(offer) || !offer.includes(1)) {
    throw new RangeError(
      `protocol version offer ${JSON.stringify(offer)} must be ascending positive integers without duplicates and contain 1`,
    );
  }
  for (let i = 1; i < offer.length; i++) {
    if ((offer[i] as number) <= (offer[i - 1] as number)) {
      throw new RangeError(`protocol version offer ${list(offer)} is not ascending`);
    }
  }
  const versions = offer.length === 1 ? "" : `,"${PROTOCOL_VERSIONS_KEY}":${list(offer)}`;
  return `{"sendTimeout":${sendTimeout}${versions}}`;
}

/** What the host concludes from the plugin's first control request (§10.4). */
export type VersionLearned =
  | {
      readonly ok: true;
      readonly version: number;
      /** The first request was not a handshake of any form (row 4): taken as version 1, to be logged. */
      readonly notHandshake: boolean;
    }
  | {
      readonly ok: false;
      /** The announced version text after `handshake v=` (or the raw suffix when malformed). */
      readonly announced: string;
      /** The status `errMsg`: `protocol version <N> not offered`. */
      readonly errMsg: string;
    };

function suffixOf(text: string): string {
  const rest = text.slice(HANDSHAKE_TEXT.length);
  return rest.startsWith(" v=") ? rest.slice(3) : rest.trimStart();
}

function notOffered(announced: string): VersionLearned {
  return { ok: false, announced, errMsg: `protocol version ${announced} not offered` };
}

/**
 * The host's learning table (§10.4) applied to the first control request.
 * `offer` is what the host put in PortableConfig (`[1]` when it wrote no key).
 */
export function learnVersion(first: Uint8Array | string, offer: readonly number[]): VersionLearned {
  const version = parseHandshake(first);
  if (version === 1) return { ok: true, version: 1, notHandshake: false };
  if (version !== undefined) {
    return offer.includes(version)
      ? { ok: true, version, notHandshake: false }
      : notOffered(String(version));
  }
  const text = typeof first === "string" ? first : Buffer.from(first).toString("latin1");
  // "handshake" followed by anything: a malformed suffix (row 3); else row 4.
  if (text.startsWith(HANDSHAKE_TEXT)) return notOffered(suffixOf(text));
  return { ok: true, version: 1, notHandshake: true };
}

/**
 * A later handshake (keepalive, a function channel's first request) checked
 * against the agreed version (§10.4: a different form is a protocol error).
 * Returns undefined when it is fine, else the status `errMsg`. A message that
 * is not a handshake of any form and does not start with `handshake` is left
 * to the first-byte rule of version 1 (§5.2), as a version-1 host does.
 */
export function checkLaterHandshake(
  message: Uint8Array | string,
  agreed: number,
): string | undefined {
  const version = parseHandshake(message);
  if (version === agreed) return undefined;
  const text = typeof message === "string" ? message : Buffer.from(message).toString("latin1");
  if (version === undefined && !text.startsWith(HANDSHAKE_TEXT)) return undefined;
  const got = version === undefined ? JSON.stringify(text.slice(0, 40)) : `v=${version}`;
  return `protocol version changed: handshake ${got} after version ${agreed} was agreed`;
}
