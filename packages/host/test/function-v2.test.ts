// The version-2 function channel end to end (PROTOCOL.md §12.3): our host and
// our TypeScript mirror (examples/mirror, packed as a user does) agree on 2,
// and concurrent `exec` callers, `execBatch` and a per-call failure inside a
// batch give the same results as the same calls on version 1 (host offering [1]).

import type { JsonValue } from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { PortableHost } from "../src/host.js";
import { FunctionCallError, HostError } from "../src/index.js";
import { tempDir } from "./helpers.js";
import { collectingLogger } from "./runtime-helpers.js";
import { usePackedTsMirror } from "./ts-mirror.js";

const mirror = usePackedTsMirror("pp-v2func-");
let host: PortableHost | undefined;

afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function mirrorUnder(protocolVersions: readonly number[]) {
  host = new PortableHost({
    dataDir: await tempDir("pp-v2func-data-"),
    socketDir: await tempDir("pp-v2func-sock-"),
    logger: collectingLogger(),
    timeouts: { initMs: 30_000, commandMs: 30_000, callMs: 15_000 },
    protocolVersions,
    // The mirror's signature would have the host refuse the bad arity itself
    // (PORTABLE_E_TYPE); these tests are about the plugin's own refusal.
    checkTypes: false,
  });
  await host.install("mirror", mirror.zip());
  const echo = await host.function("echo");
  expect(host.info("mirror")?.protocolVersion).toBe(Math.max(...protocolVersions));
  return echo;
}

const args = (i: number): JsonValue[] => [{ i, s: `row ${i} é`, pad: "x".repeat(64) }];

/** 16 concurrent callers, an execBatch of 16, and a failing validate among execs. */
async function scenario(protocolVersions: readonly number[]) {
  const echo = await mirrorUnder(protocolVersions);
  const concurrent = await Promise.all(
    Array.from({ length: 16 }, (_, i) => echo.exec(args(i), { ruleId: `r${i}`, opId: "op" })),
  );
  const afterConcurrent = host?.info("mirror")?.functionBatches;
  const batch = await echo.execBatch(
    Array.from({ length: 16 }, (_, i) => args(100 + i)),
    { ruleId: "rb", opId: "op" },
  );
  const mixed = await Promise.allSettled([
    echo.exec(["a"], { ruleId: "r1", opId: "op" }),
    echo.validate(["x", "y"]),
    echo.exec(["b"], { ruleId: "r1", opId: "op" }),
    echo.isAggregate(),
  ]);
  const afterBatch = host?.info("mirror")?.functionBatches;
  return { concurrent, batch, mixed, afterConcurrent, afterBatch };
}

describe("version-2 function channel with the TypeScript mirror", () => {
  it("answers 16 concurrent execs, an execBatch of 16 and a per-call failure as v1 does", async () => {
    const v2 = await scenario([1, 2]);
    await host?.close();
    host = undefined;
    const v1 = await scenario([1]);

    const expected = Array.from({ length: 16 }, (_, i) => args(i)[0]);
    expect(v2.concurrent).toEqual(expected);
    expect(v1.concurrent).toEqual(expected);
    const expectedBatch = Array.from({ length: 16 }, (_, i) => ({
      ok: true,
      value: args(100 + i)[0],
    }));
    expect(v2.batch).toEqual(expectedBatch);
    expect(v1.batch).toEqual(expectedBatch);

    for (const run of [v1, v2]) {
      const [a, bad, b, agg] = run.mixed;
      expect(a).toEqual({ status: "fulfilled", value: "a" });
      expect(b).toEqual({ status: "fulfilled", value: "b" });
      expect(agg).toEqual({ status: "fulfilled", value: false });
      expect(bad?.status).toBe("rejected");
      const err = (bad as PromiseRejectedResult).reason as HostError;
      expect(HostError.is(err, "PORTABLE_E_FUNCTION")).toBe(true);
      expect(err.message).toContain("echo takes exactly one argument, got 2");
      expect(err.plugin).toBe("mirror");
      expect(err.symbol).toBe("echo");
    }
    // Version 2: the 16 callers of one tick shared one batch, execBatch sent
    // one more, and the mixed four (with the failing validate) one more.
    expect(v2.afterConcurrent).toEqual({ batches: 1, calls: 16 });
    expect(v2.afterBatch).toEqual({ batches: 3, calls: 36 });
    expect(v1.afterBatch).toEqual({ batches: 0, calls: 0 });
    // Only version 2 carries the typed error of §12.6.
    const typed = (v2.mixed[1] as PromiseRejectedResult).reason;
    expect(typed).toBeInstanceOf(FunctionCallError);
    expect((typed as FunctionCallError).remoteCode).toBe("PORTABLE_E_FUNCTION");
    expect((typed as FunctionCallError).errorClass).toBe("FATAL");
    expect((v1.mixed[1] as PromiseRejectedResult).reason).not.toBeInstanceOf(FunctionCallError);
  }, 120_000);

  it("splits an execBatch over 1 MiB into batches within the limit (§12.2)", async () => {
    const echo = await mirrorUnder([1, 2]);
    const big = (i: number) => `${i}`.padEnd(600_000, "x");
    const out = await echo.execBatch(
      [0, 1, 2, 3].map((i) => [big(i)]),
      { ruleId: "rbig", opId: "op" },
    );
    expect(out).toEqual([0, 1, 2, 3].map((i) => ({ ok: true, value: big(i) })));
    // 4 x 600 kB do not fit one 1 MiB batch, nor do 2: one call per batch.
    expect(host?.info("mirror")?.functionBatches).toEqual({ batches: 4, calls: 4 });
  }, 60_000);
});
