// The version-2 sink data channel end to end (PROTOCOL.md §12.5), with real
// plugins under the real host: our TypeScript mirror (packed as a user does)
// and its `file` sink, on version 2 and on version 1 (host offering [1]) with
// the same contents; the TS fixture's `collect` sink for batches, the ack
// window (a slow sink), failures of each class (§12.6) and `sendSingle`; and
// the fixture's hand-built version-2 plugin (`badack`) for acks that name a
// seq never sent or already acked.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { JsonObject } from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { HostError } from "../src/errors.js";
import { PortableHost } from "../src/host.js";
import type { SinkProxy } from "../src/run/proxies/sink.js";
import { tempDir } from "./helpers.js";
import {
  type CollectingLogger,
  collectingLogger,
  copyPlugin,
  killAndAwaitRestart,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
  waitFor,
} from "./runtime-helpers.js";
import { usePackedTsMirror } from "./ts-mirror.js";

const mirror = usePackedTsMirror("pp-sink2-");
let host: PortableHost | undefined;

afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function newHost(logger: CollectingLogger, offer: readonly number[] = [1, 2], env = {}) {
  host = new PortableHost({
    dataDir: await tempDir("pp-sink2-data-"),
    socketDir: await tempDir("pp-sink2-sock-"),
    logger,
    protocolVersions: offer,
    env,
  });
  return host;
}

async function fixture(mode: string, logger = collectingLogger()) {
  const name = uniqueName("sink2");
  const h = await newHost(logger, [1, 2], {
    ...TS_FIXTURE_ENV,
    PORTABLE_PLUGIN_NAME: name,
    FIXTURE_MODE: mode,
  });
  await h.install(name, await copyPlugin(TS_FIXTURE_DIR, "tsfixture", name));
  return { h, name, logger };
}

const lines = async (path: string) =>
  (await readFile(path, "utf8").catch(() => "")).split("\n").filter(Boolean);

/** The bodies the fixture's `collect` sink logged, in order. */
const collected = (logger: CollectingLogger) =>
  logger.lines.flatMap((l) => {
    const i = l.indexOf("fixture: collect ");
    return i < 0 ? [] : [l.slice(i + "fixture: collect ".length)];
  });

/** Writes `rows` as that many results, all before the first resolves (so they can share messages). */
const writeAll = (sink: SinkProxy, rows: readonly JsonObject[]) =>
  Promise.all(rows.map((r) => sink.write(r)));

describe("v2 sink data (§12.5) with the TypeScript mirror's file sink", () => {
  const rows = Array.from({ length: 300 }, (_, i) => ({ i, text: `row ${i} é` }));

  async function run(offer: readonly number[], requireAck: boolean) {
    const h = await newHost(collectingLogger(), offer);
    await h.install("mirror", mirror.zip());
    const path = join(await tempDir("pp-sink2-out-"), "out.jsonl");
    const config = { path, interval: 50, ...(requireAck ? { requireAck: true } : {}) };
    const sink = await h.sink("file", { ruleId: "rs2", opId: "op1" }, config);
    expect(h.info("mirror")?.protocolVersion).toBe(offer.at(-1));
    await writeAll(sink, rows.slice(0, 100));
    // An array result is several rows of one result; sequential writes one message each.
    await sink.write(rows.slice(100, 110));
    for (const r of rows.slice(110, 120)) await sink.write(r);
    await writeAll(sink, rows.slice(120));
    if (requireAck) {
      // Acked writes are handled (the file sink writes before it acks).
      expect((await lines(path)).map((l) => JSON.parse(l))).toEqual(rows);
    } else {
      await waitFor("every row in the file", async () =>
        (await lines(path)).length >= rows.length ? true : undefined,
      );
      expect((await lines(path)).map((l) => JSON.parse(l))).toEqual(rows);
    }
    const stats = sink.stats();
    await sink.close();
    await h.close();
    host = undefined;
    return stats;
  }

  for (const requireAck of [false, true]) {
    it(`requireAck ${requireAck}: the same rows in order on v2 and v1; v2 puts several results in a message`, async () => {
      const v2 = await run([1, 2], requireAck);
      expect(v2).toMatchObject({ version: 2, inFlight: 0, queued: 0, mismatches: 0, retries: 0 });
      if (v2.version !== 2) throw new Error("not version 2");
      expect(v2.results).toBe(291);
      // 10 sequential writes are 10 messages; the 280 concurrent ones share far fewer.
      expect(v2.messages).toBeLessThan(60);
      expect(v2.messages).toBeGreaterThanOrEqual(13);
      if (requireAck) expect(v2.maxInFlight).toBeLessThanOrEqual(16);
      expect(await run([1], requireAck)).toEqual({ version: 1 });
    }, 60_000);
  }

  it("a write the sink fails (no such folder) rejects with the sink's typed error after the retries", async () => {
    const h = await newHost(collectingLogger());
    await h.install("mirror", mirror.zip());
    const bad = join(await tempDir("pp-sink2-out-"), "no-such-folder", "x.jsonl");
    const sink = await h.sink(
      "file",
      { ruleId: "rs2", opId: "bad" },
      { path: bad, requireAck: true },
      { maxRetries: 2 },
    );
    const err = (await sink.write({ a: 1 }).catch((e: unknown) => e)) as HostError;
    expect(err).toMatchObject({
      code: "PORTABLE_E_SINK",
      remoteCode: "PORTABLE_E_SINK",
      errorClass: "RETRYABLE",
      plugin: "mirror",
      symbol: "file",
    });
    expect(err.message).toContain("no-such-folder");
    expect(sink.stats()).toMatchObject({ version: 2, retries: 2, messages: 3 });
  }, 30_000);
});

describe("v2 sink acks with the TS fixture", () => {
  it("a slow sink: at most `window` messages unacked, later writes wait and then share messages", async () => {
    const { h, logger } = await fixture("normal");
    const sink = await h.sink(
      "collect",
      { ruleId: "rw", opId: "op1" },
      { requireAck: true },
      { window: 4 },
    );
    const writes: Promise<void>[] = [];
    let peak = 0;
    let queuedPeak = 0;
    // One write every 2 ms; the sink takes 25 ms per message.
    for (let i = 0; i < 60; i++) {
      writes.push(sink.write({ i, slowMs: 25 }));
      await new Promise((r) => setTimeout(r, 2));
      const s = sink.stats();
      if (s.version !== 2) throw new Error("not version 2");
      expect(s.inFlight).toBeLessThanOrEqual(4);
      peak = Math.max(peak, s.inFlight);
      queuedPeak = Math.max(queuedPeak, s.queued);
    }
    expect(peak).toBe(4);
    // The writer outran the sink: its writes waited in the queue, not in the plugin.
    expect(queuedPeak).toBeGreaterThan(10);
    await Promise.all(writes);
    const s = sink.stats();
    expect(s).toMatchObject({ version: 2, inFlight: 0, queued: 0, maxInFlight: 4, results: 60 });
    if (s.version === 2) expect(s.messages).toBeLessThan(60);
    const got = collected(logger).flatMap((b) => JSON.parse(b) as JsonObject[]);
    expect(got.map((r) => r["i"])).toEqual(Array.from({ length: 60 }, (_, i) => i));
  }, 30_000);

  it("acts on each class: RETRYABLE sends again now, BACKOFF after a growing delay, FATAL drops", async () => {
    const { h, logger } = await fixture("normal");
    const sink = await h.sink(
      "collect",
      { ruleId: "rc", opId: "op1" },
      { requireAck: true },
      { backoffMs: 200, maxRetries: 3 },
    );
    await sink.write({ id: "r", failClass: "RETRYABLE", failTimes: 2 });
    expect(sink.stats()).toMatchObject({ retries: 2, messages: 3 });
    const t0 = Date.now();
    await sink.write({ id: "b", failClass: "BACKOFF", failTimes: 2 });
    // 200 ms, then 400 ms.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(590);
    expect(sink.stats()).toMatchObject({ retries: 4, messages: 6 });
    const fatal = (await sink
      .write({ id: "f", failClass: "FATAL" })
      .catch((e: unknown) => e)) as HostError;
    expect(fatal).toMatchObject({ code: "PORTABLE_E_SINK", errorClass: "FATAL" });
    expect(fatal.message).toContain("FATAL failure 1 of row f");
    expect(sink.stats()).toMatchObject({ retries: 4, messages: 7 });
    // RETRYABLE for good: sent 1 + maxRetries times, then the write fails.
    const again = (await sink
      .write({ id: "x", failClass: "RETRYABLE" })
      .catch((e: unknown) => e)) as HostError;
    expect(again).toMatchObject({ code: "PORTABLE_E_SINK", errorClass: "RETRYABLE" });
    expect(again.message).toContain("failure 4 of row x");
    await sink.write({ ok: 1 });
    const bodies = collected(logger);
    expect(bodies.filter((b) => b.includes('"id":"f"'))).toHaveLength(1);
    expect(bodies.filter((b) => b.includes('"id":"x"'))).toHaveLength(4);
    expect(bodies.at(-1)).toBe('[{"ok":1}]');
  }, 30_000);

  it("sendSingle hands rows one at a time; raw bytes arrive unchanged; no acks without requireAck", async () => {
    const { h, logger } = await fixture("normal");
    const single = await h.sink("collect", { ruleId: "rs", opId: "op1" }, { sendSingle: true });
    await writeAll(single, [{ a: 1 }, { a: 2 }, { a: 3 }]);
    // Raw bytes (what a dataTemplate makes) are not re-encoded: spacing and key order stay.
    await single.write(new TextEncoder().encode('{"z": 1, "a": 2}'));
    await waitFor("the raw body at the sink", () => collected(logger).includes('{"z": 1, "a": 2}'));
    const bodies = collected(logger);
    expect(bodies.slice(0, 3)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}']);
    expect(single.stats()).toMatchObject({ version: 2, results: 4, inFlight: 0, mismatches: 0 });
  }, 30_000);
});

describe("v2 sink acks that do not match (§12.5)", () => {
  it("an ack for a seq never sent or already acked is PORTABLE_E_MISMATCH: logged, counted, ignored", async () => {
    const { h, logger } = await fixture("badack");
    const sink = await h.sink("collect", { ruleId: "rm", opId: "op1" }, { requireAck: true });
    expect(h.info(sink.plugin)?.protocolVersion).toBe(2);
    await sink.write({ a: 1 });
    await sink.write({ a: 2 });
    await waitFor("the mismatches", () => {
      const s = sink.stats();
      return s.version === 2 && s.mismatches === 4;
    });
    const s = sink.stats();
    expect(s).toMatchObject({ version: 2, messages: 2, inFlight: 0, mismatches: 4 });
    if (s.version === 2) expect(s.lastError).toContain("ack for 2; acked up to 2, sent up to 2");
    const logged = logger.lines.filter(
      (l) => l.includes("PORTABLE_E_MISMATCH") || l.includes("ignored"),
    );
    expect(logged.some((l) => l.includes("ack for 101; acked up to 0, sent up to 1"))).toBe(true);
    // The plugin saw seq 1 then 2 (§12.5: 1 for the first message after the start).
    expect(logger.lines.filter((l) => l.includes("fixture: got message"))).toHaveLength(2);
    expect(logger.lines.some((l) => l.includes("fixture: got message 1"))).toBe(true);
  }, 30_000);
});

describe("v2 sinks across a restart (§12.5, §8.2)", () => {
  it("after the replay seq starts at 1 again", async () => {
    const { h, name, logger } = await fixture("badack");
    const sink = await h.sink("collect", { ruleId: "rr", opId: "op1" }, { requireAck: true });
    await sink.write({ a: 1 });
    await sink.write({ a: 2 });
    const pid = h.status(name)?.pid as number;
    await killAndAwaitRestart(h, name, pid);
    await sink.write({ a: 3 });
    const got = logger.lines.flatMap((l) => l.match(/fixture: got message (\d+)/)?.[1] ?? []);
    expect(got).toEqual(["1", "2", "1"]);
  }, 30_000);

  it("a write unacked when the plugin dies is sent again to the new process and resolves", async () => {
    const { h, name, logger } = await fixture("normal");
    const sink = await h.sink("collect", { ruleId: "rr", opId: "op2" }, { requireAck: true });
    const slow = sink.write({ id: "slow", slowMs: 1_500 });
    await waitFor("the slow row at the sink", () =>
      collected(logger).some((b) => b.includes('"slow"')),
    );
    const pid = h.status(name)?.pid as number;
    await killAndAwaitRestart(h, name, pid);
    await slow;
    expect(collected(logger).filter((b) => b.includes('"slow"'))).toHaveLength(2);
    expect(sink.stats()).toMatchObject({ version: 2, messages: 2, inFlight: 0 });
  }, 30_000);
});
