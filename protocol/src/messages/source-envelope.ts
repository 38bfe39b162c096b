// What a source sends on its data channel (PROTOCOL.md §4.4): data
// `{"message":..,"meta":..}` or a failure `{"error":".."}`. The Go SDK wraps
// the failure object in a JSON string; decoders accept both with a warning.

import { goJson, goString } from "../codec/go-json.js";
import { parseJson } from "../codec/schema-codec.js";
import type { Decoded, DecodeWarning } from "../codec/warnings.js";
import { ProtocolError } from "../errors.js";
import { SourceEnvelope, SourceError } from "../gen/portable.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../json.js";

export type SourceItem =
  | { readonly type: "data"; readonly message: JsonValue; readonly meta: JsonObject | null }
  | { readonly type: "error"; readonly error: string };

/** Data in Go's dialect; `meta` null when absent. */
export function encodeSourceData(message: JsonValue, meta: JsonObject | null = null): Buffer {
  return Buffer.from(
    `{"message":${goJson(message, "SourceEnvelope", "message")},"meta":${meta === null ? "null" : goJson(meta, "SourceEnvelope", "meta")}}`,
  );
}

/** A source failure as the spec says: the object, not the Go SDK's string. */
export function encodeSourceError(error: string): Buffer {
  return Buffer.from(`{"error":${goString(error)}}`);
}

function fromObject(o: Record<string, unknown>, warnings: DecodeWarning[]): SourceItem {
  if (!Object.hasOwn(o, "message") && Object.hasOwn(o, "error")) {
    return { type: "error", ...SourceError.fromJson(o, "", warnings) };
  }
  const env = SourceEnvelope.fromJson(o, "", warnings);
  return { type: "data", message: env.message, meta: env.meta };
}

export function decodeSourceItemWithWarnings(input: Uint8Array | string): Decoded<SourceItem> {
  const warnings: DecodeWarning[] = [];
  const json = parseJson(input, "SourceEnvelope");
  if (typeof json === "string") {
    // Only the Go SDK sends a string, and only for an error; it formats the
    // object without escaping the text, so the inner JSON may not parse.
    warnings.push({ code: "error-as-string", field: "" });
    let inner: unknown;
    try {
      inner = JSON.parse(json);
    } catch {
      warnings.push({ code: "error-string-unparsable", field: "" });
      return { value: { type: "error", error: json }, warnings };
    }
    if (!isJsonObject(inner) || !Object.hasOwn(inner, "error")) {
      throw new ProtocolError(
        "PORTABLE_E_DECODE",
        "SourceEnvelope",
        "",
        "a string envelope must hold an error object",
      );
    }
    return { value: { type: "error", ...SourceError.fromJson(inner, "", warnings) }, warnings };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ProtocolError("PORTABLE_E_DECODE", "SourceEnvelope", "", "expected a JSON object");
  }
  return { value: fromObject(json as Record<string, unknown>, warnings), warnings };
}

export function decodeSourceItem(input: Uint8Array | string): SourceItem {
  return decodeSourceItemWithWarnings(input).value;
}
