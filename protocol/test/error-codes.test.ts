// The family's one error-code list (src/error-codes.ts): well formed, shown exactly in
// PROTOCOL.md §9.5, and the protocol package's own codes and texts are in it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { scanErrorCodes } from "../src/error-code-scan.js";
import {
  ERROR_CODES,
  ERROR_LAYERS,
  type ErrorCode,
  errorCodesOf,
  isErrorCode,
  PROTOCOL_ERROR_CODES,
  unknownErrorCodes,
} from "../src/index.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));
const codes = Object.keys(ERROR_CODES) as ErrorCode[];

/** The rows of PROTOCOL.md §9.5's table: code, meaning, layers. */
function documentedCodes(): Array<{ code: string; meaning: string; layers: string[] }> {
  const spec = readFileSync(join(pkg, "PROTOCOL.md"), "utf8");
  const section = spec.slice(spec.indexOf("### 9.5 Error codes"), spec.indexOf("## 10."));
  return [...section.matchAll(/^\| `(PORTABLE_E_[A-Z0-9_]+)` \| (.+) \| ([a-z, ]+) \|$/gm)].map(
    (m) => ({ code: m[1]!, meaning: m[2]!, layers: m[3]!.split(", ") }),
  );
}

describe("the error-code list", () => {
  it("holds well-formed codes, each with a one-line meaning and known layers", () => {
    expect(codes.length).toBeGreaterThan(40);
    for (const code of codes) {
      const { meaning, layers } = ERROR_CODES[code];
      expect(code).toMatch(/^PORTABLE_E_[A-Z][A-Z0-9_]*$/);
      expect(meaning, code).toMatch(/^[^|\n]+$/);
      expect(layers.length, code).toBeGreaterThan(0);
      for (const layer of layers) expect(ERROR_LAYERS, code).toContain(layer);
      expect(new Set(layers).size, code).toBe(layers.length);
    }
  });

  it("is the table of PROTOCOL.md §9.5, row by row", () => {
    const rows = documentedCodes();
    expect(rows.map((r) => r.code)).toEqual(codes);
    for (const row of rows) {
      const info = ERROR_CODES[row.code as ErrorCode];
      expect(row.meaning, row.code).toBe(info.meaning);
      expect(row.layers, row.code).toEqual(info.layers);
    }
  });

  it("gives each code one spelling: no two codes differ only in spelling", () => {
    const squash = (c: string) => c.replace(/[^A-Z]/g, "").replace(/(.)\1+/g, "$1");
    const seen = new Map<string, string>();
    for (const code of codes) {
      const key = squash(code);
      expect(seen.get(key), `${code} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, code);
    }
  });

  it("finds a code that is not in the list", () => {
    const bogus = ["PORTABLE_E", "NOT_IN_THE_LIST"].join("_");
    expect(isErrorCode(bogus)).toBe(false);
    expect(isErrorCode("PORTABLE_E_TIMEOUT")).toBe(true);
    expect(unknownErrorCodes(`throw new X("${bogus}"); "PORTABLE_E_DECODE"`)).toEqual([bogus]);
  });

  it("gives ProtocolError exactly the protocol layer's codes", () => {
    expect([...PROTOCOL_ERROR_CODES]).toEqual(errorCodesOf("protocol"));
  });

  it("names no code outside the list in this package's sources, tests, vectors or spec", () => {
    const { files, unknown } = scanErrorCodes(pkg, {
      dirs: ["src", "test", "vectors", "tools"],
      include: /\.(ts|json|md|py|go)$/,
      files: ["PROTOCOL.md"],
    });
    expect(files.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });
});
