import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NngError } from "./errors.js";
import { EAGER_ALLOC_LIMIT, encodeFrame, FrameDecoder, type Transport } from "./framing.js";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

function decodeAll(decoder: FrameDecoder): Buffer[] {
  const out: Buffer[] = [];
  for (let m = decoder.next(); m !== undefined; m = decoder.next()) out.push(m);
  return out;
}

function decoder(transport: Transport, maxSize = 0, allocate?: (n: number) => Buffer) {
  return new FrameDecoder(transport, {
    maxSize: () => maxSize,
    ...(allocate !== undefined && { allocate }),
  });
}

describe("frame encoding", () => {
  it("prefixes ipc frames with type 0x01 and a u64 big-endian length", () => {
    const frame = encodeFrame("ipc", [hex("80000001"), Buffer.from("handshake")]);
    expect(frame.toString("hex")).toBe("01000000000000000d8000000168616e647368616b65");
  });

  it("prefixes tcp frames with the u64 big-endian length only", () => {
    const frame = encodeFrame("tcp", [hex("80000001"), Buffer.from("handshake")]);
    expect(frame.toString("hex")).toBe("000000000000000d8000000168616e647368616b65");
  });

  it("encodes a zero-length message as the bare prefix", () => {
    expect(encodeFrame("ipc", []).toString("hex")).toBe("010000000000000000");
    expect(encodeFrame("tcp", [Buffer.alloc(0)]).toString("hex")).toBe("0000000000000000");
  });
});

describe("frame decoder", () => {
  it("returns a message inside one chunk as a slice of it, without copying", () => {
    const chunk = encodeFrame("tcp", [Buffer.from("hello")]);
    const d = decoder("tcp");
    d.push(chunk);
    const [message] = decodeAll(d);
    expect(message?.toString()).toBe("hello");
    expect(message?.buffer).toBe(chunk.buffer);
  });

  it("reassembles a frame delivered one byte at a time", () => {
    const frame = encodeFrame("ipc", [Buffer.from("one byte at a time")]);
    const d = decoder("ipc");
    const out: Buffer[] = [];
    for (const byte of frame) {
      d.push(Buffer.from([byte]));
      out.push(...decodeAll(d));
    }
    expect(out.map(String)).toEqual(["one byte at a time"]);
  });

  it("splits many frames out of one chunk", () => {
    const bodies = Array.from({ length: 100 }, (_, i) => `m${i}`);
    const d = decoder("tcp");
    d.push(Buffer.concat(bodies.map((b) => encodeFrame("tcp", [Buffer.from(b)]))));
    expect(decodeAll(d).map(String)).toEqual(bodies);
  });

  it("returns zero-length messages as empty buffers", () => {
    const d = decoder("ipc");
    d.push(hex("010000000000000000 010000000000000000"));
    expect(decodeAll(d).map((m) => m.length)).toEqual([0, 0]);
  });

  it("refuses an ipc frame whose type is not 0x01", () => {
    const d = decoder("ipc");
    d.push(hex("02 0000000000000001 41"));
    expect(() => d.next()).toThrowError(expect.objectContaining({ code: "PORTABLE_E_PROTOCOL" }));
    expect(() => d.next()).toThrow(NngError); // stays failed
  });

  it("refuses a frame longer than maxSize before allocating anything", () => {
    const sizes: number[] = [];
    const d = decoder("tcp", 1024, (n) => {
      sizes.push(n);
      return Buffer.allocUnsafe(n);
    });
    d.push(hex("0000000000000401"));
    expect(() => d.next()).toThrowError(
      expect.objectContaining({ code: "PORTABLE_E_MSG_TOO_LARGE" }),
    );
    expect(sizes).toEqual([]);
  });

  it("refuses lengths beyond 2^53 even when unlimited", () => {
    const d = decoder("tcp", 0);
    d.push(hex("ffffffffffffffff"));
    expect(() => d.next()).toThrowError(/beyond 2\^53/);
  });

  it("does not allocate a huge announced frame until its bytes arrive", () => {
    const sizes: number[] = [];
    const d = decoder("tcp", 0, (n) => {
      sizes.push(n);
      return Buffer.allocUnsafe(n);
    });
    d.push(hex("00000000 c0000000 41424344")); // announces 3 GiB, sends 4 bytes
    expect(d.next()).toBeUndefined();
    expect(sizes).toEqual([]);
    expect(d.bufferedBytes).toBe(4);
  });

  it("joins a large multi-chunk frame into one buffer", () => {
    const body = Buffer.alloc(EAGER_ALLOC_LIMIT + 100, 7);
    const frame = encodeFrame("tcp", [body]);
    const d = decoder("tcp");
    for (let at = 0; at < frame.length; at += 65536) d.push(frame.subarray(at, at + 65536));
    const [message] = decodeAll(d);
    expect(message?.equals(body)).toBe(true);
  });
});

describe("frame decoder (properties)", () => {
  const transports = fc.constantFrom<Transport>("ipc", "tcp");
  const bodies = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 });

  it("reassembles any stream of valid frames exactly, however it is chunked", () => {
    fc.assert(
      fc.property(transports, bodies, fc.array(fc.nat(400), { maxLength: 40 }), (t, msgs, cuts) => {
        const stream = Buffer.concat(msgs.map((m) => encodeFrame(t, [m])));
        const d = decoder(t);
        const out: Buffer[] = [];
        let at = 0;
        for (const cut of cuts) {
          const end = Math.min(stream.length, at + cut);
          d.push(stream.subarray(at, end));
          out.push(...decodeAll(d));
          at = end;
        }
        d.push(stream.subarray(at));
        out.push(...decodeAll(d));
        expect(out.map((m) => Buffer.from(m).toString("hex"))).toEqual(
          msgs.map((m) => Buffer.from(m).toString("hex")),
        );
        expect(d.bufferedBytes).toBe(0);
      }),
    );
  });

  it("never throws anything but NngError on garbage, and never allocates over the cap", () => {
    const cap = 512;
    fc.assert(
      fc.property(
        transports,
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 30 }),
        (t, chunks) => {
          const sizes: number[] = [];
          const d = decoder(t, cap, (n) => {
            sizes.push(n);
            return Buffer.allocUnsafe(n);
          });
          try {
            for (const chunk of chunks) {
              d.push(Buffer.from(chunk));
              for (let m = d.next(); m !== undefined; m = d.next())
                expect(m.length).toBeLessThanOrEqual(cap);
            }
          } catch (err) {
            expect(err).toBeInstanceOf(NngError);
            expect(["PORTABLE_E_PROTOCOL", "PORTABLE_E_MSG_TOO_LARGE"]).toContain(
              (err as NngError).code,
            );
          }
          for (const size of sizes) expect(size).toBeLessThanOrEqual(cap);
        },
      ),
    );
  });
});
