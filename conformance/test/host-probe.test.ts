// The suite testing a host by acting as a plugin (§10.6): the probe under our
// host (offers [1,2] and [1], the probe as a v1 and a v2 plugin) passes every
// check; fake hosts that break one rule each — a v1 body after `handshake v=2`,
// a v2 batch to a plugin that answered the plain `handshake`, an offer out of
// order, an offer from a host with version 2 off, commands after a handshake
// naming a version it did not offer — yield FAIL findings.

import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RepSocket } from "@portable-plugins/nng";
import {
  Command,
  controlChannelUrl,
  encodeCallBatch,
  encodeFunctionCall,
  functionChannelUrl,
} from "@portable-plugins/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { formatReport } from "../src/index.js";
import { PROBE_FUNCTION, PROBE_PLUGIN, type ProbeMode, readEvents } from "../src/probe/events.js";
import { type HostExpectation, judgeProbeEvents } from "../src/probe/judge.js";
import { runOurHost } from "../src/probe/our-host.js";
import { writeProbeFolder } from "../src/probe/package.js";
import { CLI } from "./paths.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("the probe under our host", () => {
  it("passes every check for offers [1,2] and [1], the probe as a v1 and a v2 plugin", async () => {
    const report = await runOurHost({ rows: 120 });
    const text = formatReport(report);
    expect(report.plugins.map((p) => p.label)).toEqual([
      "ours [1,2] × v1 probe",
      "ours [1,2] × v2 probe",
      "ours [1] × v1 probe",
      "ours [1] × v2 probe",
      "ours [1] × rogue probe (v=2)",
    ]);
    const rogue = report.plugins.at(-1);
    expect(
      rogue?.results.map((r) => `${r.id} ${r.status}`),
      text,
    ).toEqual([
      "host/start-argument pass",
      "host/handshake pass",
      "host/refuses-unoffered-version pass",
    ]);
    for (const p of report.plugins.slice(0, -1)) {
      expect(p.error, text).toBeUndefined();
      expect(
        p.results.map((r) => `${r.id} ${r.status}`),
        text,
      ).toEqual([
        "host/start-argument pass",
        "host/handshake pass",
        "host/commands pass",
        "host/function-bodies pass",
        "host/function-exec pass",
        "host/function-batch pass",
        "host/function-error pass",
        "host/source-rows pass",
      ]);
    }
    expect(report.ok).toBe(true);
  }, 120_000);
});

/**
 * A fake host: starts the probe with `argument`, reads its handshake, starts
 * its function, and sends `body` on the function channel as a call.
 */
async function fakeHost(
  mode: number[] | ProbeMode,
  argument: string,
  body: (shake: string) => Buffer,
) {
  const dir = await mkdtemp(join(tmpdir(), "fake-host-"));
  dirs.push(dir);
  writeProbeFolder(dir, Array.isArray(mode) ? { versions: mode } : mode);
  const control = new RepSocket();
  const fn = new RepSocket();
  await control.listen(controlChannelUrl(PROBE_PLUGIN));
  await fn.listen(functionChannelUrl(PROBE_FUNCTION));
  const child = spawn(join(dir, PROBE_PLUGIN), [argument], { stdio: "ignore" });
  try {
    const shake = (await control.recv()).toString("utf8");
    const meta = { ruleId: "fake", opId: "op1", instanceId: 0 };
    await control.send(
      Command.encode({
        cmd: "start",
        arg: { symbolName: PROBE_FUNCTION, pluginType: "func", meta },
      }),
    );
    expect((await control.recv()).toString("utf8")).toBe("ok");
    await fn.recv(); // the function channel's handshake
    await fn.send(body(shake));
    await fn.recv(); // the probe's reply
    return { dir, shake };
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    await control.close();
    await fn.close();
  }
}

const v1Call = () =>
  encodeFunctionCall({
    func: "Exec",
    args: ["x"],
    context: { ruleId: "fake", opId: "op1", instanceId: 0, funcId: 0 },
  });
const v2Batch = () => encodeCallBatch([{ id: 1, kind: "EXEC", args: ["x"] }]);

function check(dir: string, e: HostExpectation, name: string) {
  const found = judgeProbeEvents(readEvents(dir), e).find((c) => c.name === name);
  return found?.finding;
}

describe("broken hosts yield FAIL findings", () => {
  it("offers v2, gets handshake v=2, then sends a version-1 call", async () => {
    const { dir, shake } = await fakeHost(
      [1, 2],
      '{"sendTimeout":1000,"protocolVersions":[1,2]}',
      v1Call,
    );
    expect(shake).toBe("handshake v=2");
    const e = { offers: [1, 2], mode: { versions: [1, 2] } };
    expect(check(dir, e, "host/start-argument")).toEqual({ status: "pass" });
    expect(check(dir, e, "host/function-bodies")).toEqual({
      status: "fail",
      reason: expect.stringMatching(/a version-1 body .* on a channel agreed at version 2/),
    });
  }, 30_000);

  it("`portable-conformance host check` reports it as a FAIL (exit status 1)", async () => {
    const { dir } = await fakeHost([1, 2], '{"sendTimeout":1000,"protocolVersions":[1,2]}', v1Call);
    const run = spawnSync(
      process.execPath,
      [CLI, "host", "check", dir, "--offers", "1,2", "--mode", "2", "--shared-tmp"],
      { encoding: "utf8" },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/\| host\/function-bodies +\| FAIL/);
    expect(run.stdout).toMatch(
      /FAIL host\/function-bodies \(§12.1[^\n]*\n.*\n {2}- a version-1 body/,
    );
  }, 30_000);

  it("ignores the plain handshake of a v1 plugin and sends it a v2 batch", async () => {
    const { dir, shake } = await fakeHost(
      [1],
      '{"sendTimeout":1000,"protocolVersions":[1,2]}',
      v2Batch,
    );
    expect(shake).toBe("handshake");
    const e = { offers: [1, 2], mode: { versions: [1] } };
    expect(check(dir, e, "host/function-bodies")).toEqual({
      status: "fail",
      reason: expect.stringMatching(
        /a version-2 body \(0201.*\) on a channel agreed at version 1 .*exactly version-1 bytes/,
      ),
    });
  }, 30_000);

  it("goes on with a plugin that announced a version it did not offer", async () => {
    const rogue = { versions: [1, 2], announce: 2 };
    const { dir, shake } = await fakeHost(rogue, '{"sendTimeout":1000}', v2Batch);
    expect(shake).toBe("handshake v=2");
    const e = { offers: [1], mode: rogue };
    expect(check(dir, e, "host/handshake")).toEqual({
      status: "fail",
      reason: expect.stringMatching(
        /the host sent 1 command\(s\) after "handshake v=2", a version it did not offer \(§10.4/,
      ),
    });
  }, 30_000);

  it("writes an offer out of order", async () => {
    const { dir } = await fakeHost([1, 2], '{"sendTimeout":1000,"protocolVersions":[2,1]}', () =>
      v2Batch(),
    );
    const e = { offers: [1, 2], mode: { versions: [1, 2] } };
    expect(check(dir, e, "host/start-argument")).toEqual({
      status: "fail",
      reason: "the offer [2,1] is not ascending (§10.2)",
    });
  }, 30_000);

  it("has version 2 off but writes protocolVersions", async () => {
    const { dir } = await fakeHost([1], '{"sendTimeout":1000,"protocolVersions":[1]}', v1Call);
    const e = { offers: [1], mode: { versions: [1] } };
    expect(check(dir, e, "host/start-argument")?.status).toBe("fail");
    expect(check(dir, e, "host/function-bodies")).toEqual({ status: "pass" });
  }, 30_000);
});
