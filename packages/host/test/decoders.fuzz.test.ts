// Fuzzing, bounded in time, of every decoder through which a plugin's bytes
// reach the host: control answers and handshakes, function replies, source
// rows, sink acks, the SP frame decoder, and a control channel fed random
// bytes over a real socket. Random bytes and mutations of the protocol's
// test vectors must give a value or a typed error (ProtocolError,
// NngError, HostError), never another throw, never a hang.

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { encodeHeader, FrameDecoder, NngError } from "@portable-plugins/nng";
import {
  decodeAnswer,
  decodeSinkAckWithWarnings,
  decodeSourceItemWithWarnings,
  FuncReply,
  isHandshake,
  ProtocolError,
  startsLikeHandshake,
} from "@portable-plugins/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { ControlChannel } from "../src/run/control-channel.js";
import { tempDir } from "./helpers.js";
import { collectingLogger } from "./runtime-helpers.js";

const require = createRequire(import.meta.url);
const VECTORS = join(
  dirname(require.resolve("@portable-plugins/protocol/package.json")),
  "vectors",
);

/** Every vector's bytes, as seeds to mutate. */
function seeds(): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const producer of readdirSync(VECTORS, { withFileTypes: true })) {
    if (!producer.isDirectory()) continue;
    for (const file of readdirSync(join(VECTORS, producer.name))) {
      if (!file.endsWith(".json")) continue;
      const doc = JSON.parse(readFileSync(join(VECTORS, producer.name, file), "utf8")) as {
        cases?: { hex?: string }[];
      };
      for (const c of doc.cases ?? []) if (c.hex) out.push(Buffer.from(c.hex, "hex"));
    }
  }
  return out;
}

const SEEDS = seeds();

/** Random bytes, or a vector with bytes flipped, cut, inserted or repeated. */
const input: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 600 }),
  fc
    .tuple(
      fc.constantFrom(...SEEDS),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(3)), {
        maxLength: 8,
      }),
    )
    .map(([seed, edits]) => {
      let bytes = Buffer.from(seed);
      for (const [where, value, how] of edits) {
        const at = bytes.length === 0 ? 0 : where % bytes.length;
        if (how === 0) bytes[at] = value;
        else if (how === 1) bytes = bytes.subarray(0, at);
        else if (how === 2)
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from([value]), bytes.subarray(at)]);
        else bytes = Buffer.concat([bytes, bytes.subarray(at)]);
      }
      return bytes;
    }),
);

/** Runs `decode`; anything thrown must be `typed`; each call must be quick. */
function check(decode: (b: Uint8Array) => unknown, typed: (e: unknown) => boolean) {
  return (bytes: Uint8Array) => {
    const started = performance.now();
    try {
      decode(bytes);
    } catch (err) {
      if (!typed(err)) throw new Error(`untyped throw: ${String(err)}`, { cause: err });
    }
    expect(performance.now() - started).toBeLessThan(250);
  };
}

const BUDGET = { numRuns: 3_000, interruptAfterTimeLimit: 4_000 };
const protocolError = (e: unknown) => e instanceof ProtocolError;

describe("decoders a plugin's bytes reach (fuzz, bounded in time)", () => {
  it("control answers and handshakes", () => {
    fc.assert(
      fc.property(
        input,
        check((b) => {
          isHandshake(b);
          startsLikeHandshake(b);
          return decodeAnswer(b);
        }, protocolError),
      ),
      BUDGET,
    );
  });

  it("function replies", () => {
    fc.assert(
      fc.property(
        input,
        check((b) => FuncReply.decode(b), protocolError),
      ),
      BUDGET,
    );
  });

  it("source rows", () => {
    fc.assert(
      fc.property(
        input,
        check((b) => decodeSourceItemWithWarnings(b), protocolError),
      ),
      BUDGET,
    );
  });

  it("sink acks", () => {
    fc.assert(
      fc.property(
        input,
        check((b) => decodeSinkAckWithWarnings(b), protocolError),
      ),
      BUDGET,
    );
  });

  it("SP frames in any split, with a size limit", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("ipc" as const, "tcp" as const),
        fc.array(input, { maxLength: 6 }),
        (transport, chunks) => {
          const decoder = new FrameDecoder(transport, { maxSize: () => 1024 * 1024 });
          try {
            for (const chunk of chunks) {
              decoder.push(Buffer.from(chunk));
              while (decoder.next() !== undefined) {}
            }
          } catch (err) {
            if (!(err instanceof NngError)) throw err;
          }
        },
      ),
      BUDGET,
    );
  });

  it("a control channel fed random bytes fails its handshake with a HostError, quickly", async () => {
    const socketDir = await tempDir("pp-fuzz-");
    await fc.assert(
      fc.asyncProperty(fc.boolean(), input, async (withHeader, bytes) => {
        const channel = new ControlChannel({
          plugin: "fuzz",
          socketDir,
          commandTimeoutMs: 1_000,
          logger: collectingLogger(),
          maxMessageBytes: 1024 * 1024,
        });
        await channel.listen();
        const sock = connect({ path: channel.url.slice("ipc://".length) });
        sock.on("error", () => {});
        sock.write(withHeader ? Buffer.concat([encodeHeader("req"), bytes]) : bytes);
        sock.end();
        try {
          // A well-formed request is a handshake (any content, §4.2.1);
          // anything else fails, at the latest at the init timeout.
          await channel.handshake(200);
        } catch (err) {
          if (!(err instanceof HostError)) throw err;
        } finally {
          sock.destroy();
          await channel.close();
        }
      }),
      { numRuns: 40, interruptAfterTimeLimit: 5_000 },
    );
  }, 20_000);
});
