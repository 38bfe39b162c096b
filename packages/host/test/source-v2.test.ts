// The version-2 source data channel end to end (PROTOCOL.md §12.4): our
// TypeScript mirror (examples/mirror, packed as a user does) and its `random`
// source under the real host. With a seeded generator the rows are known in
// advance, so order and loss are checked row by row, on version 2 and on
// version 1 (host offering [1]) with the same contents. A consumer that
// stops taking rows keeps what the host holds within SOURCE_QUEUE_LIMITS
// while the source is faster, and the plugin's emits then wait (its log
// says so); no row is lost across the stall.

import type { JsonObject } from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { RandomSource } from "../../../examples/mirror/src/random-source.js";
import type { HostError } from "../src/errors.js";
import { PortableHost } from "../src/host.js";
import { SOURCE_QUEUE_LIMITS, type SourceProxy } from "../src/run/proxies/source.js";
import { tempDir } from "./helpers.js";
import {
  collectingLogger,
  copyPlugin,
  nextWithin,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
  waitFor,
} from "./runtime-helpers.js";
import { usePackedTsMirror } from "./ts-mirror.js";

const CONFIG = {
  interval: 1,
  seed: 1_000_000,
  deduplicate: 0,
  randomSeed: 13,
  pattern: { a: 1, b: 2, c: 3, d: 4 },
};

const mirror = usePackedTsMirror("pp-src2-");
let host: PortableHost | undefined;

afterEach(async () => {
  await host?.close();
  host = undefined;
});

/** The rows the mirror's random source produces with CONFIG, in order. */
function expectedRows(n: number): JsonObject[] {
  const r = new RandomSource();
  r.configure("", CONFIG);
  return Array.from({ length: n }, () => r.next());
}

async function openRandom(offer: readonly number[], logger = collectingLogger()) {
  host = new PortableHost({
    dataDir: await tempDir("pp-src2-data-"),
    socketDir: await tempDir("pp-src2-sock-"),
    logger,
    protocolVersions: offer,
  });
  await host.install("mirror", mirror.zip());
  const src = await host.source("random", { ruleId: "rv2", opId: "op1" }, { config: CONFIG });
  expect(host.info("mirror")?.protocolVersion).toBe(offer.at(-1));
  return src;
}

async function take(src: SourceProxy, n: number): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for (let i = 0; i < n; i++) out.push((await nextWithin(src, 5_000)).message);
  return out;
}

describe("v2 source data (§12.4) with the TypeScript mirror", () => {
  it("rows arrive in order with no loss on v2, the same rows as on v1", async () => {
    const want = expectedRows(400);
    const src2 = await openRandom([1, 2]);
    const v2 = await take(src2, 400);
    expect(v2).toEqual(want);
    expect(src2.received.v1).toBe(0);
    expect(src2.received.v2).toBeGreaterThan(0);
    await host?.close();
    host = undefined;
    const src1 = await openRandom([1]);
    const v1 = await take(src1, 400);
    expect(v1).toEqual(want);
    expect(src1.received).toEqual({ v1: expect.any(Number), v2: 0 });
  }, 60_000);

  it("a stalled consumer: the host holds at most its bound, the plugin's emits wait, no row lost", async () => {
    const logger = collectingLogger();
    const src = await openRandom([1, 2], logger);
    const first = await take(src, 10);
    let peak = { messages: 0, bytes: 0, rows: 0 };
    let samples = 0;
    const sampler = setInterval(() => {
      const q = src.queue();
      samples++;
      if (q.messages > peak.messages) peak = { ...q };
      expect(q.messages).toBeLessThanOrEqual(SOURCE_QUEUE_LIMITS.messages);
      expect(q.bytes).toBeLessThanOrEqual(SOURCE_QUEUE_LIMITS.bytes);
    }, 5);
    try {
      // The source makes a row per ms; nobody takes any until its emit waits.
      await waitFor(
        "the plugin's emit to wait",
        () => logger.lines.some((l) => l.includes("emit waits for the host")),
        20_000,
        20,
      );
      const atWait = src.queue();
      await new Promise((r) => setTimeout(r, 300));
      // Waiting, the source no longer runs ahead: the host queue stays full, not growing.
      expect(src.queue().messages).toBe(atWait.messages);
    } finally {
      clearInterval(sampler);
    }
    expect(samples).toBeGreaterThan(20);
    expect(peak.messages).toBe(SOURCE_QUEUE_LIMITS.messages);
    // Everything produced during the stall comes through, in order.
    const rest = await take(src, 3_000);
    expect([...first, ...rest]).toEqual(expectedRows(3_010));
  }, 60_000);
});

describe("v2 source errors (§12.6)", () => {
  it("an error of the plugin arrives typed (code, class) after the rows of its message", async () => {
    const name = uniqueName("src2err");
    const errors: HostError[] = [];
    host = new PortableHost({
      dataDir: await tempDir("pp-src2-data-"),
      socketDir: await tempDir("pp-src2-sock-"),
      logger: collectingLogger(),
      env: { ...TS_FIXTURE_ENV, PORTABLE_PLUGIN_NAME: name, FIXTURE_MODE: "normal" },
    });
    await host.install(name, await copyPlugin(TS_FIXTURE_DIR, "tsfixture", name));
    const src = await host.source(
      "counter",
      { ruleId: "rerr", opId: "op1" },
      { onError: (e) => errors.push(e) },
    );
    const rows = [];
    for (let i = 0; i < 4; i++) rows.push(await nextWithin(src, 5_000));
    expect(rows.map((r) => r.message)).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }, { n: 3 }]);
    expect(rows[0]?.meta).toEqual({ source: "counter" });
    expect(src.received.v2).toBeGreaterThan(0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      code: "PORTABLE_E_SOURCE",
      remoteCode: "PORTABLE_E_SOURCE",
      errorClass: "BACKOFF",
      plugin: name,
      symbol: "counter",
    });
    expect(errors[0]?.message).toContain("counter: a test error after 3 rows");
  }, 30_000);
});
