// The version-2 function channel of the SDK runtime (PROTOCOL.md §12.3), over
// the real wire with a raw REP as the host: one reply batch per call batch,
// calls of different contexts run concurrently, calls of one context one
// after the other in batch order, a throwing call fails alone with a typed
// error (§12.6), and a batch that cannot be used gets one batch error.

import {
  type CallV2,
  decodeReplyBatch,
  encodeCallBatch,
  encodeFunctionCall,
  type FuncContextV2,
} from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { definePlugin } from "../src/index.js";
import { meta as instanceMeta, TestHost } from "../src/testing/index.js";

let test: TestHost | undefined;

afterEach(async () => {
  const left = await test?.close();
  test = undefined;
  expect(left ?? []).toEqual([]);
});

/** "start:<tag>" and "end:<tag>", in the order they happened. */
const events: string[] = [];

/** `slow(tag, ms)`: waits ms, records its order; `boom` throws. */
const plugin = definePlugin({
  name: "v2func",
  functions: {
    slow: () => ({
      async exec(args) {
        const tag = String(args[0]);
        events.push(`start:${tag}`);
        await new Promise((r) => setTimeout(r, Number(args[1])));
        events.push(`end:${tag}`);
        if (tag === "boom") throw new Error("boom failed");
        return tag;
      },
      isAggregate: () => true,
    }),
  },
});

const ctx = (ruleId: string): FuncContextV2 => ({ ruleId, opId: "op", instanceId: 0, funcId: 0 });
const exec = (id: number, tag: string, ms: number, rule: string): CallV2 => ({
  id,
  kind: "EXEC",
  args: [tag, ms],
  context: ctx(rule),
});

async function channel() {
  test = await TestHost.start(plugin, { protocolVersions: [1, 2] });
  const rep = await test.functionListener("slow");
  expect(await test.start("func", "slow", instanceMeta("", 0))).toBe("ok");
  expect((await rep.recv()).toString()).toBe("handshake v=2");
  return rep;
}

describe("version-2 function channel in the SDK (§12.3)", () => {
  it("runs other contexts concurrently, one context in batch order, and fails a call alone", async () => {
    events.length = 0;
    const rep = await channel();
    await rep.send(
      encodeCallBatch([
        exec(1, "a1", 150, "A"),
        exec(2, "a2", 10, "A"),
        exec(3, "b1", 150, "B"),
        exec(4, "boom", 10, "C"),
        { id: 5, kind: "IS_AGGREGATE", args: [] },
      ]),
    );
    const batch = decodeReplyBatch(await rep.recv());
    const byId = new Map(batch.replies.map((r) => [r.id, r]));
    expect(batch.replies).toHaveLength(5);
    expect(byId.get(1)).toEqual({ id: 1, result: "a1" });
    expect(byId.get(2)).toEqual({ id: 2, result: "a2" });
    expect(byId.get(3)).toEqual({ id: 3, result: "b1" });
    expect(byId.get(5)).toEqual({ id: 5, result: true });
    expect(byId.get(4)?.error).toEqual({
      code: "PORTABLE_E_FUNCTION",
      class: "FATAL",
      message: "boom failed",
    });
    // same context A: a2 starts only after a1 ended, although it is faster
    expect(events.indexOf("end:a1")).toBeLessThan(events.indexOf("start:a2"));
    // contexts A, B and C overlapped: all three started before any ended
    expect(events.slice(0, 3).sort()).toEqual(["start:a1", "start:b1", "start:boom"]);
    await rep.close();
  });

  it("answers an undecodable batch and a version-1 call with one batch error", async () => {
    const rep = await channel();
    await rep.send(Buffer.from([0x02, 0x01, 0x0a, 0x05, 0x08]));
    const truncated = decodeReplyBatch(await rep.recv());
    expect(truncated.replies).toEqual([]);
    expect(truncated.error).toMatchObject({ code: "PORTABLE_E_DECODE", class: "FATAL" });
    await rep.send(encodeFunctionCall({ func: "IsAggregate" }));
    const v1 = decodeReplyBatch(await rep.recv());
    expect(v1.error).toMatchObject({ code: "PORTABLE_E_DECODE", class: "FATAL" });
    // the channel still serves
    await rep.send(encodeCallBatch([exec(9, "after", 0, "A")]));
    expect(decodeReplyBatch(await rep.recv())).toEqual({ replies: [{ id: 9, result: "after" }] });
    await rep.close();
  });
});
