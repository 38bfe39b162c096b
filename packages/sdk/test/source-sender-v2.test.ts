// The version-2 source sender (runtime/source-sender-v2.ts, PROTOCOL.md
// §12.4) over a real PUSH/PULL pair: rows emitted in one turn are cut into
// messages of at most BATCH_BYTES (a row alone may be larger) and at most
// the §12.2 row limit, every row arrives once and in order, and an array
// emit with a bad row adds none of its rows.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PullSocket, PushSocket } from "@portable-plugins/nng";
import { decodeSourceRows, V2_LIMITS } from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { BATCH_BYTES, SourceSenderV2 } from "../src/runtime/source-sender-v2.js";

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function pair() {
  const dir = await mkdtemp(join(tmpdir(), "sender-v2-"));
  const url = `ipc://${join(dir, "src.ipc")}`;
  const pull = new PullSocket();
  await pull.listen(url);
  const push = new PushSocket();
  await push.dial(url);
  const abort = new AbortController();
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  cleanup.push(() => pull.close());
  cleanup.push(() => push.close());
  cleanup.push(async () => abort.abort());
  const sender = new SourceSenderV2({
    push,
    signal: abort.signal,
    onRetry: () => undefined,
    where: { plugin: "p", symbol: "s", url },
  });
  return { pull, sender };
}

/** A row's id: its `i`, or its one key in base 36 (rows small enough to reach the row limit). */
const idOf = (r: { message: Record<string, unknown> }) =>
  typeof r.message["i"] === "number"
    ? r.message["i"]
    : Number.parseInt(Object.keys(r.message)[0] ?? "", 36);

/** Receives messages until `rows` rows came; returns each message's size and rows. */
async function receive(pull: PullSocket, rows: number) {
  const got: { bytes: number; ids: number[] }[] = [];
  let n = 0;
  while (n < rows) {
    const body = await pull.recv();
    const msg = decodeSourceRows(body);
    got.push({ bytes: body.length, ids: msg.rows.map(idOf) });
    n += msg.rows.length;
  }
  return got;
}

describe("v2 source sender", () => {
  it("cuts one turn's rows at BATCH_BYTES and the row limit; a large row goes alone; order kept", async () => {
    const { pull, sender } = await pair();
    const n = V2_LIMITS.maxRowsPerMessage + 500;
    const big = "b".repeat(BATCH_BYTES + 1000);
    const done: Promise<void>[] = [];
    // Rows of 15 bytes ({"<i in base 36>": true}: 4096 of them fit in BATCH_BYTES)
    // past the row limit, then rows of ~20 bytes past BATCH_BYTES, then a row
    // larger than a message.
    for (let i = 0; i < n; i++) done.push(sender.emit({ [i.toString(36)]: true }, null));
    for (let i = n; i < 2 * n; i++) done.push(sender.emit({ i }, null));
    done.push(sender.emit({ i: 2 * n, big }, null));
    done.push(sender.emit({ i: 2 * n + 1 }, { m: 1 }));
    const got = await receive(pull, 2 * n + 2);
    await Promise.all(done);
    expect(got.flatMap((m) => m.ids)).toEqual(Array.from({ length: 2 * n + 2 }, (_, i) => i));
    expect(got.some((m) => m.ids.length === V2_LIMITS.maxRowsPerMessage)).toBe(true);
    expect(got.length).toBeGreaterThan(1);
    for (const m of got) {
      expect(m.ids.length).toBeLessThanOrEqual(V2_LIMITS.maxRowsPerMessage);
      if (m.ids.length > 1) expect(m.bytes).toBeLessThanOrEqual(BATCH_BYTES);
    }
    expect(got.find((m) => m.ids.includes(2 * n))?.ids).toEqual([2 * n]);
  });

  it("an array emit with a row that has no protobuf form adds none of its rows", async () => {
    const { pull, sender } = await pair();
    await expect(sender.emit([{ i: 0 }, { i: 1, bad: Number.NaN }], null)).rejects.toThrow(/emit/);
    await expect(sender.emit({ i: 2, bad: Number.POSITIVE_INFINITY }, null)).rejects.toThrow(
      /emit/,
    );
    await sender.emit([{ i: 3 }, { i: 4 }], { m: "x" });
    const got = await receive(pull, 2);
    expect(got.flatMap((m) => m.ids)).toEqual([3, 4]);
  });
});
