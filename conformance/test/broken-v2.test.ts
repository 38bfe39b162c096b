// The broken version-2 plugins (test/broken/plugins/broken_v2.mjs): each has
// one flaw in version 2's messages, and the v2 case it breaks must FAIL with
// the reason that names it; without a flaw the same cases pass. Node.js
// plugins: they load the workspace's protocol and nng packages from where
// BROKEN_PACKAGES_FROM points (the suite runs a copy far from node_modules).

import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runSuite } from "../src/index.js";
import { BROKEN } from "./paths.js";

process.env["BROKEN_PACKAGES_FROM"] = fileURLToPath(new URL("../package.json", import.meta.url));

const ONLY = [
  "v2/function/batch-exec/**",
  "v2/function/batch-duplicate-id/**",
  "v2/source/v2-rows/**",
];

async function verdicts(plugin: string) {
  const report = await runSuite({
    subjects: [`${BROKEN}${plugin}.json`],
    only: ONLY,
    protocolVersions: [1, 2],
    timeouts: { initMs: 5000 },
  });
  const p = report.plugins[0];
  expect(p?.error).toBeUndefined();
  return Object.fromEntries(
    (p?.results ?? []).map((r) => [
      r.id.replace(`${plugin}_fn`, "fn"),
      `${r.status} ${r.reasons.join(" ")}`.trim(),
    ]),
  );
}

describe("the v2 cases catch every broken v2 plugin", () => {
  it("pass for the plugin without a flaw (the baseline)", async () => {
    expect(await verdicts("brk_v2none")).toEqual({
      "v2/function/batch-exec/fn": "pass",
      "v2/function/batch-duplicate-id/fn": "pass",
      "v2/source/v2-rows/tick": "pass",
    });
  }, 60_000);

  it("a reply batch that misses a call's reply", async () => {
    const got = await verdicts("brk_v2dropreply");
    expect(got["v2/function/batch-exec/fn"]).toMatch(
      /^fail .*no reply to call 16 \(§12.3: every call answered exactly once\)/,
    );
  }, 60_000);

  it("a version-1 reply to a call batch", async () => {
    const got = await verdicts("brk_v2v1reply");
    expect(got["v2/function/batch-exec/fn"]).toMatch(
      /^fail .*is not a version-2 ReplyBatchV2 body \(02 02, §12.2\): no version-2 prefix/,
    );
  }, 60_000);

  it("serves a batch with a repeated id instead of refusing it", async () => {
    const got = await verdicts("brk_v2dupok");
    expect(got["v2/function/batch-duplicate-id/fn"]).toMatch(
      /^fail .*1 replies, expected the batch error alone/,
    );
    expect(got["v2/function/batch-exec/fn"]).toBe("pass");
  }, 60_000);

  it("version-1 envelopes on a source after agreeing on version 2", async () => {
    const got = await verdicts("brk_v2v1rows");
    expect(got["v2/source/v2-rows/tick"]).toMatch(
      /^fail .*is not a SourceRowsV2 body \(02 03, §12.2, §12.4\)/,
    );
  }, 60_000);
});
