// PROTOCOL.md §12 and the code say the same: the kind table's bytes and
// example sizes are V2_KINDS and the vectors' sizes, the limits table is
// V2_LIMITS, and every hex line of the examples is in a vector.

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { V2_KINDS, V2_LIMITS } from "../src/index.js";
import { loadVectors } from "./load-vectors.js";

const spec = readFileSync(fileURLToPath(new URL("../PROTOCOL.md", import.meta.url)), "utf8");
const section = spec.slice(spec.indexOf("## 12. Version 2"), spec.indexOf("## Appendix A."));
const vectors = loadVectors("v2/spec");

describe("PROTOCOL.md §12", () => {
  it("gives each message kind the byte the schema gives it", () => {
    const rows = [
      ...section.matchAll(/^\| `([a-z-]+)` \| `([A-Za-z0-9]+)` \|.*\| `([0-9a-f]{2})` \|/gm),
    ];
    const table = Object.fromEntries(rows.map((m) => [m[2], Number.parseInt(m[3] ?? "", 16)]));
    expect(table).toEqual({ ...V2_KINDS });
    for (const m of rows)
      expect(
        vectors.map((f) => f.kind),
        m[1],
      ).toContain(m[1]);
  });

  it("states the limits of V2_LIMITS", () => {
    const value = (key: string) => {
      const row = section.split("\n").find((l) => l.includes(`\`${key}\``) && l.startsWith("|"));
      return Number((row?.split("|")[2] ?? "").replace(/[^0-9]/g, "").slice(0, 7));
    };
    expect(value("maxCallsPerBatch")).toBe(V2_LIMITS.maxCallsPerBatch);
    expect(value("maxRowsPerMessage")).toBe(V2_LIMITS.maxRowsPerMessage);
    expect(section).toContain(`1 MiB (1 048 576) | \`maxMessageBytes\``);
    expect(V2_LIMITS.maxMessageBytes).toBe(1_048_576);
  });

  it("shows example bytes that are the vectors' bytes, with their sizes", () => {
    const hexes = vectors.flatMap((f) => f.cases.map((c) => c.hex));
    const sized = [
      ["exec-one", 38],
      ["exec-one-json", 122],
      ["out-of-order", 28],
      ["two-rows", 132],
      ["error-backoff", 45],
      ["upto-3", 4],
      ["failed-4", 36],
      ["raw", 14],
    ] as const;
    const all = vectors.flatMap((f) => f.cases);
    for (const [name, size] of sized) {
      const sizes = all.filter((c) => c.name === name).map((c) => c.hex.length / 2);
      expect(sizes, name).toContain(size);
      expect(section, name).toContain(`${size} bytes`);
    }
    // The one-line examples, e.g. "02 05  08 03", are exact prefixes of a vector.
    const lines = [
      ...section.matchAll(
        /^(?:[a-z0-9-]+ \([0-9]+ bytes\)[^\n]*\n)?(02 0[1-5](?: {1,2}[0-9a-f]{2})+)/gm,
      ),
    ];
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const m of lines) {
      const hex = (m[1] ?? "").replace(/\s+/g, "");
      expect(
        hexes.some((h) => h.startsWith(hex)),
        hex,
      ).toBe(true);
    }
  });
});
