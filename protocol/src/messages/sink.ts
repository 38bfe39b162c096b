// The sink channels (PROTOCOL.md §4.5): rows the host pushes (SinkData,
// generated from the schema), and the acks a sink sends back when its config
// asks for them.

import { parseJson } from "../codec/schema-codec.js";
import type { Decoded, DecodeWarning } from "../codec/warnings.js";
import { SinkAck, SinkData } from "../gen/portable.js";
import type { JsonValue } from "../json.js";

/**
 * One row (an object) or several (an array), in Go's dialect. A host may send
 * any body (a data template's output, §4.5.1), so any JSON value is written.
 */
export function encodeSinkData(rows: JsonValue): Buffer {
  return SinkData.encode(rows as SinkData);
}

export function decodeSinkData(input: Uint8Array | string): SinkData {
  return SinkData.decode(input);
}

export type AckResult = { readonly ok: true } | { readonly ok: false; readonly error: string };

const ACK_OK = Buffer.from("{}");

export function encodeSinkAck(result: AckResult): Buffer {
  return result.ok ? Buffer.from(ACK_OK) : SinkAck.encode({ error: result.error || "sink failed" });
}

export function decodeSinkAckWithWarnings(input: Uint8Array | string): Decoded<AckResult> {
  const warnings: DecodeWarning[] = [];
  const json = parseJson(input, "SinkAck");
  const ack = SinkAck.fromJson(json, "", warnings);
  if (ack.error === undefined) return { value: { ok: true }, warnings };
  if (ack.error === "") {
    warnings.push({ code: "ack-empty-error", field: "error" });
    return { value: { ok: true }, warnings };
  }
  return { value: { ok: false, error: ack.error }, warnings };
}

export function decodeSinkAck(input: Uint8Array | string): AckResult {
  return decodeSinkAckWithWarnings(input).value;
}
