// What a sink's `collect` receives (SinkData): the body as it came
// (version 1, or version 2's `raw`), or version 2's decoded rows with the
// version-1 body of the same rows made only when `raw` is asked for.

import {
  decodeSinkData,
  encodeSinkData,
  isJsonObject,
  type JsonObject,
  type JsonValue,
} from "@portable-plugins/protocol";
import type { SinkData } from "../api.js";

export function sinkData(raw: Buffer): SinkData {
  let decoded: JsonValue | undefined;
  const json = () => {
    decoded ??= decodeSinkData(raw);
    return decoded;
  };
  return {
    raw,
    json,
    rows: () => {
      const v = json();
      const list = Array.isArray(v) ? v : [v];
      return list.filter((r): r is JsonObject => isJsonObject(r));
    },
  };
}

export /** SinkData for decoded rows; `raw` is the version-1 body of the same rows, made when asked for. */
function rowsData(rows: JsonObject[], single: boolean): SinkData {
  let raw: Buffer | undefined;
  const value = single ? (rows[0] as JsonObject) : rows;
  return {
    get raw() {
      raw ??= encodeSinkData(value);
      return raw;
    },
    json: () => value,
    rows: () => rows,
  };
}
