// The mirror's definition run in-process by the test host of
// @portable-plugins/sdk/testing, over the real wire (SP sockets, ipc files,
// the SDK runtime): what the plugin author's guide shows, and the source's
// per-row leak check again with the runtime's own context and signal.

import { getEventListeners } from "node:events";
import { definePlugin } from "@portable-plugins/sdk";
import { meta, TestHost } from "@portable-plugins/sdk/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mirror } from "../src/plugin.js";
import { RandomSource } from "../src/random-source.js";

let host: TestHost | undefined;
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeEach(() => {
  warnings.length = 0;
  process.on("warning", onWarning);
});
afterEach(async () => {
  process.off("warning", onWarning);
  const left = await host?.close();
  host = undefined;
  expect(left ?? []).toEqual([]);
});

describe("mirror over the wire, in-process", () => {
  it("streams random rows as envelopes until stopped", async () => {
    host = await TestHost.start(mirror);
    const m = meta("rule1");
    const pull = await host.sourceListener(m);
    expect(await host.start("source", "random", m, { interval: 10, pattern: { n: 1 } })).toBe("ok");
    expect(JSON.parse((await pull.recv()).toString())).toEqual({ message: { n: 1 }, meta: null });
    expect(await host.stop("source", "random", m)).toBe("ok");
    await pull.close();
  });

  it("keeps the runtime's abort signal at most one listener over 2000 rows, and never warns", async () => {
    // The mirror's source, with the signal the runtime gives it kept for the test.
    const signals: AbortSignal[] = [];
    const watched = definePlugin({
      name: "mirror",
      sources: {
        random: () => {
          const source = new RandomSource();
          const open = source.open.bind(source);
          source.open = (ctx) => {
            signals.push(ctx.signal);
            return open(ctx);
          };
          return source;
        },
      },
    });
    host = await TestHost.start(watched);
    const m = meta("leak");
    const pull = await host.sourceListener(m);
    await host.start("source", "random", m, { interval: 1, pattern: { n: 1 } });
    let most = 0;
    for (let i = 0; i < 2000; i++) {
      await pull.recv();
      most = Math.max(most, getEventListeners(signals[0] as AbortSignal, "abort").length);
    }
    expect(await host.stop("source", "random", m)).toBe("ok");
    await pull.close();
    await new Promise((r) => setImmediate(r));
    expect(signals).toHaveLength(1);
    expect(most).toBeLessThanOrEqual(1);
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
  }, 60_000);
});
