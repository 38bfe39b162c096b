// The fakes of @portable-plugins/sdk/testing behave as the runtime does:
// both forms of a source, errors as the host would see them, the logger, the
// sink data, and emit after stop; and waitFor's value, timeout and reason.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Source } from "../src/index.js";
import {
  fakeContext,
  fakeFunctionContext,
  fakeSinkData,
  fakeSourceContext,
  runSource,
  waitFor,
  waitForFile,
} from "../src/testing/index.js";

describe("fake contexts", () => {
  it("runs a source that returns an async iterable until stopAfter, then closes it", async () => {
    let closed = false;
    const source: Source = {
      async *open() {
        for (let i = 0; ; i++) yield { message: { i }, meta: i === 0 ? { first: true } : null };
      },
      close() {
        closed = true;
      },
    };
    const ctx = await runSource(source, { stopAfter: 3 });
    expect(ctx.emitted).toEqual([
      { message: { i: 0 }, meta: { first: true } },
      { message: { i: 1 }, meta: null },
      { message: { i: 2 }, meta: null },
    ]);
    expect(ctx.signal.aborted).toBe(true);
    expect(closed).toBe(true);
  });

  it("configures with props and reports a throwing open as the error text", async () => {
    const seen: unknown[] = [];
    const source: Source = {
      configure(dataSource, props) {
        seen.push(dataSource, props);
      },
      open(ctx) {
        ctx.logger.warn("about to fail: %d", 42);
        throw new Error("no data today");
      },
    };
    const ctx = await runSource(source, { dataSource: "topic", props: { a: 1 } });
    expect(seen).toEqual(["topic", { a: 1 }]);
    expect(ctx.errors).toEqual(["no data today"]);
    expect(ctx.logger.messages("warn")).toEqual(["about to fail: %d"]);
    expect(ctx.logger.entries[0]?.details).toEqual([42]);
  });

  it("drops emits after abort, and counts without recording when asked", async () => {
    const ctx = fakeSourceContext({ record: false, ruleId: "r9", instanceId: 2 });
    await ctx.emit({ a: 1 });
    ctx.abort();
    await ctx.emit({ a: 2 });
    await ctx.emitError("late");
    expect([ctx.emitCount, ctx.emitted, ctx.errors]).toEqual([1, [], []]);
    expect([ctx.ruleId, ctx.opId, ctx.instanceId]).toEqual(["r9", "op1", 2]);
  });

  it("gives sinks the data the runtime decodes, and functions their funcId", () => {
    const one = fakeSinkData({ a: 1 });
    expect([one.raw.toString(), one.json(), one.rows()]).toEqual(['{"a":1}', { a: 1 }, [{ a: 1 }]]);
    expect(fakeSinkData([{ a: 1 }, 2, { b: 2 }]).rows()).toEqual([{ a: 1 }, { b: 2 }]);
    expect(fakeFunctionContext({ funcId: 7 }).funcId).toBe(7);
    expect(fakeContext().signal.aborted).toBe(false);
  });
});

describe("waitFor", () => {
  it("resolves with the first value the check returns", async () => {
    let n = 0;
    expect(await waitFor("n to reach 3", () => ++n >= 3 && n, 2000, 1)).toBe(3);
  });

  it("fails after the timeout, naming what it waited for and the last error", async () => {
    await expect(
      waitFor(
        "the moon",
        () => {
          throw new Error("not yet");
        },
        50,
        10,
      ),
    ).rejects.toThrow("timed out after 50 ms waiting for the moon: not yet");
  });

  it("waits for a file to have text, and fails naming it when it never does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sdk-wait-"));
    try {
      const path = join(dir, "pid");
      writeFileSync(path, "");
      setTimeout(() => writeFileSync(path, " 1234\n"), 50);
      expect(await waitForFile(path, 5000)).toBe("1234");
      await expect(waitForFile(join(dir, "never"), 50)).rejects.toThrow(/never to be written/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
