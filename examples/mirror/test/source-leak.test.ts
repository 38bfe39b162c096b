// The source `random` over many rows must leave nothing behind per row on
// its context: the abort signal's listener count stays bounded and Node
// never warns MaxListenersExceededWarning (a listener added per row and never
// removed grew the plugin from 45 to ~100 MB over 88k rows).

import { getEventListeners } from "node:events";
import { runSource } from "@portable-plugins/sdk/testing";
import { afterEach, beforeEach, expect, it } from "vitest";
import { RandomSource } from "../src/random-source.js";

const ROWS = 3000;
const warnings: Error[] = [];
const onWarning = (w: Error) => warnings.push(w);
beforeEach(() => {
  warnings.length = 0;
  process.on("warning", onWarning);
});
afterEach(() => {
  process.off("warning", onWarning);
});

it(`keeps at most one abort listener over ${ROWS} rows, and never warns`, async () => {
  let most = 0;
  const ctx = await runSource(new RandomSource(), {
    props: { interval: 1, pattern: { count: 1 } },
    stopAfter: ROWS,
    record: false,
    onEmit: (_, c) => {
      most = Math.max(most, getEventListeners(c.signal, "abort").length);
    },
  });
  // Warnings are emitted on a later tick than the listener that caused them.
  await new Promise((r) => setImmediate(r));
  expect(ctx.emitCount).toBe(ROWS);
  expect(most).toBeLessThanOrEqual(1);
  expect(getEventListeners(ctx.signal, "abort")).toEqual([]);
  expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
}, 60_000);
