// The golden SP frames shared with other implementations (protocol/vectors/sp/frames.json):
// every case must be what our encoder writes and what our decoder reads.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { encodeFrame, encodeHeader, FrameDecoder, PROTOCOL_IDS } from "../src/index.js";

interface FrameCase {
  name: string;
  transport: "ipc" | "tcp" | "any";
  hex: string;
  parts: { header?: string; backtrace?: string; body?: string };
}

const file = new URL("../../../protocol/vectors/sp/frames.json", import.meta.url);
const vectors = JSON.parse(readFileSync(file, "utf8")) as { kind: string; cases: FrameCase[] };

describe("SP frame vectors", () => {
  it("is an sp-frames file with connection headers for every protocol id", () => {
    expect(vectors.kind).toBe("sp-frames");
    const headers = vectors.cases.filter((c) => c.transport === "any").map((c) => c.name);
    expect(headers).toEqual(Object.keys(PROTOCOL_IDS).map((n) => `connection-header/${n}`));
  });

  for (const c of vectors.cases) {
    it(`${c.name}: parts concatenate to hex`, () => {
      expect((c.parts.header ?? "") + (c.parts.backtrace ?? "") + (c.parts.body ?? "")).toBe(c.hex);
    });

    if (c.transport === "any") {
      it(`${c.name}: is the header we send`, () => {
        const name = c.name.slice("connection-header/".length) as keyof typeof PROTOCOL_IDS;
        expect(encodeHeader(name).toString("hex")).toBe(c.hex);
      });
      continue;
    }
    const transport = c.transport;
    const message = Buffer.from((c.parts.backtrace ?? "") + (c.parts.body ?? ""), "hex");

    it(`${c.name}: is what we encode`, () => {
      const parts = [
        Buffer.from(c.parts.backtrace ?? "", "hex"),
        Buffer.from(c.parts.body ?? "", "hex"),
      ];
      expect(encodeFrame(transport, parts).toString("hex")).toBe(c.hex);
    });

    it(`${c.name}: decodes to backtrace + body`, () => {
      const decoder = new FrameDecoder(transport, { maxSize: () => 0 });
      decoder.push(Buffer.from(c.hex, "hex"));
      expect(decoder.next()?.toString("hex")).toBe(message.toString("hex"));
      expect(decoder.next()).toBeUndefined();
    });
  }
});
