// What the debug server feeds started sinks and functions (PROTOCOL.md §7.3):
// by default the reference test server's mock data, two rows for sinks and
// two argument lists for functions; `--sample f.json` replaces either.

import { isJsonObject, type JsonObject, type JsonValue } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";

export interface DebugSamples {
  /** Rows sent to a started sink, one message per row (sendSingle style), in a loop. */
  readonly rows: readonly JsonObject[];
  /** Argument lists a started function is called with (Exec), in a loop. */
  readonly args: readonly (readonly JsonValue[])[];
}

/** The reference's `mockSinkData` and `mockFuncData`. */
export const DEFAULT_SAMPLES: DebugSamples = {
  rows: [
    { count: 5, name: "hello" },
    { count: 10, name: "world" },
  ],
  args: [["twelve"], ["eleven"]],
};

/**
 * A sample file: `{"rows": [{...}, ...], "args": [[...], ...]}` (either key
 * optional, defaults for the other), or a bare array of rows.
 */
export function parseSamples(json: unknown, where = "sample file"): DebugSamples {
  const bad = (why: string) => new HostError("PORTABLE_E_BAD_REQUEST", `${where}: ${why}`);
  let doc: Record<string, unknown>;
  if (Array.isArray(json)) doc = { rows: json };
  else if (isJsonObject(json)) doc = json;
  else throw bad('expected {"rows": [...], "args": [[...], ...]} or an array of rows');
  for (const key of Object.keys(doc)) {
    if (key !== "rows" && key !== "args") throw bad(`unknown key ${JSON.stringify(key)}`);
  }
  let rows = DEFAULT_SAMPLES.rows;
  if (doc["rows"] !== undefined) {
    const r = doc["rows"];
    if (!Array.isArray(r) || r.length === 0 || !r.every(isJsonObject)) {
      throw bad("rows must be a non-empty array of objects");
    }
    rows = r as JsonObject[];
  }
  let args = DEFAULT_SAMPLES.args;
  if (doc["args"] !== undefined) {
    const a = doc["args"];
    if (!Array.isArray(a) || a.length === 0 || !a.every((x) => Array.isArray(x))) {
      throw bad("args must be a non-empty array of argument lists (arrays)");
    }
    args = a as JsonValue[][];
  }
  return { rows, args };
}
