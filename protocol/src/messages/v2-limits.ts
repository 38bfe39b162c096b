// Limits and helpers shared by the version-2 message wrappers (PROTOCOL.md
// §12.2): how many items one message may carry, how many bytes, and the typed
// error (§12.6) built from a code of the one list.

import type { V2Encoding } from "../codec/v2-codec.js";
import { V2_VERSION_BYTE } from "../codec/v2-codec.js";
import type { ErrorCode } from "../error-codes.js";
import { ProtocolError } from "../errors.js";
import { type ErrorClass, type ErrorV2, V2_KINDS } from "../gen/portable-v2.js";

/** PROTOCOL.md §12.2: what one version-2 message may carry. */
export const V2_LIMITS = {
  /** Calls in one CallBatchV2 (and replies in one ReplyBatchV2). */
  maxCallsPerBatch: 1024,
  /** Rows in one SourceRowsV2 or SinkRowsV2. */
  maxRowsPerMessage: 4096,
  /** Bytes of a body holding more than one call, reply or row (a single item may be larger). */
  maxMessageBytes: 1_048_576,
} as const;

/** The name of a whole-body message kind, e.g. "CallBatchV2". */
export type V2KindName = keyof typeof V2_KINDS;

/** The kind and form of a version-2 body, or undefined when it is not one (v1 JSON, a handshake). */
export function v2KindOf(body: Uint8Array): { kind: V2KindName; encoding: V2Encoding } | undefined {
  if (body.length < 2 || body[0] !== V2_VERSION_BYTE) return undefined;
  const byte = body[1] as number;
  const kind = (Object.keys(V2_KINDS) as V2KindName[]).find((k) => V2_KINDS[k] === (byte & 0x7f));
  return kind && { kind, encoding: byte & 0x80 ? "json" : "protobuf" };
}

/** A typed error (§12.6) with a code of the one list. */
export function errorV2(code: ErrorCode, cls: ErrorClass, message: string): ErrorV2 {
  return { code, class: cls, message };
}

/** Refuses `count` items over `max`, or a body over the byte limit with more than one item. */
export function checkLimits(
  kind: string,
  field: string,
  count: number,
  max: number,
  bytes: number,
): void {
  if (count > max)
    throw new ProtocolError("PORTABLE_E_LIMIT", kind, field, `${count} items, at most ${max}`);
  if (count > 1 && bytes > V2_LIMITS.maxMessageBytes)
    throw new ProtocolError(
      "PORTABLE_E_LIMIT",
      kind,
      "",
      `${bytes} bytes with ${count} items, at most ${V2_LIMITS.maxMessageBytes} (one item may be larger)`,
    );
}

/** Refuses a repeated id (0 is refused by the schema as required). */
export function checkUniqueIds(
  code: "PORTABLE_E_DECODE" | "PORTABLE_E_ENCODE",
  kind: string,
  field: string,
  ids: readonly number[],
): void {
  const seen = new Set<number>();
  ids.forEach((id, i) => {
    if (seen.has(id))
      throw new ProtocolError(code, kind, `${field}[${i}].id`, `id ${id} appears twice`);
    seen.add(id);
  });
}
