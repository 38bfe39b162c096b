import { describe, expect, it } from "vitest";
import { isWireKind, ProtocolError, wireKinds } from "../src/index.js";
import { loadVectors } from "./load-vectors.js";

const producers = ["go-host", "go-sdk", "python-sdk"] as const;

/** What each reference implementation puts on the wire (PROTOCOL.md §4). */
const sends: Record<(typeof producers)[number], string[]> = {
  "go-host": [
    "portable-config",
    "command",
    "control",
    "func-call",
    "func-meta",
    "sink-data",
    "manifest",
    "plugin-status",
  ],
  "go-sdk": ["handshake", "answer", "source-envelope", "func-reply"],
  "python-sdk": ["handshake", "answer", "source-envelope", "func-reply", "sink-ack"],
};

describe("test vectors", () => {
  for (const producer of producers) {
    const files = loadVectors(producer);

    it(`${producer}: has vectors for every kind it sends`, () => {
      const kinds = files.map((f) => f.kind);
      for (const k of sends[producer]) expect(kinds, `${producer}/${k}.json`).toContain(k);
    });

    it(`${producer}: case names are unique per kind across its files`, () => {
      const seen = new Set<string>();
      for (const f of files) {
        for (const c of f.cases) {
          const key = `${f.kind}/${c.name}`;
          expect(seen.has(key), `${key} in ${f.path}`).toBe(false);
          seen.add(key);
        }
      }
    });

    for (const file of files) {
      describe(file.path, () => {
        it("names a known kind and its producer, and says how the bytes were obtained", () => {
          expect(isWireKind(file.kind), file.kind).toBe(true);
          expect(file.producer).toBe(producer);
          expect(["captured", "reproduced"]).toContain(file.provenance);
          expect(file.how.length).toBeGreaterThan(20);
          expect(file.cases.length).toBeGreaterThan(0);
        });
        if (!isWireKind(file.kind)) return;
        const codec = wireKinds[file.kind];
        for (const c of file.cases) {
          it(`${c.name}: decodes to the expected value${c.reencode ? " and re-encodes to the same bytes" : ""}`, () => {
            const bytes = Buffer.from(c.hex, "hex");
            if (c.text !== undefined) expect(bytes.toString("utf8")).toBe(c.text);
            const decoded = codec.decode(bytes);
            expect(decoded.value).toEqual(c.value);
            expect(decoded.warnings.map((w) => w.code).sort()).toEqual(
              [...(c.warnings ?? [])].sort(),
            );
            if (c.reencode) expect(codec.encode(c.value).toString("hex")).toBe(c.hex);
          });
        }
      });
    }
  }

  describe("malformed", () => {
    for (const file of loadVectors("malformed")) {
      describe(file.path, () => {
        if (!isWireKind(file.kind)) throw new Error(`unknown kind ${file.kind}`);
        const codec = wireKinds[file.kind];
        for (const c of file.cases) {
          it(`${c.name}: is refused with ${c.error?.code} naming "${c.error?.field}"`, () => {
            const bytes = Buffer.from(c.hex, "hex");
            if (c.text !== undefined) expect(bytes.toString("utf8")).toBe(c.text);
            let thrown: unknown;
            try {
              codec.decode(bytes);
            } catch (e) {
              thrown = e;
            }
            expect(thrown).toBeInstanceOf(ProtocolError);
            const err = thrown as ProtocolError;
            expect({ code: err.code, field: err.field }).toEqual(c.error);
          });
        }
      });
    }
  });
});
