// Version negotiation in the host (PROTOCOL.md §10.2, §10.4) against real
// processes on our TypeScript SDK (test/fixtures/ts-plugin): the offer in the
// PortableConfig argument (read back from the process's command line), the
// version learned from the first control request, and the protocol errors —
// a version not offered, a malformed suffix, a later handshake of another
// form on the control or a function channel — each ending in status `error`
// with no restart. Version 2's messages come in the next step: the calls
// here are version 1 whatever was agreed.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PortableHost, type PortableHostOptions } from "../src/host.js";
import { tempDir } from "./helpers.js";
import {
  copyPlugin,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
  useRuntimeSandbox,
  waitFor,
} from "./runtime-helpers.js";

let host: PortableHost | undefined;
const run = useRuntimeSandbox({
  teardown: async () => {
    await host?.close();
    host = undefined;
  },
});

async function setup(env: Record<string, string>, options: Partial<PortableHostOptions> = {}) {
  const name = uniqueName("neg");
  host = new PortableHost({
    dataDir: await tempDir("pp-data-"),
    socketDir: run.socketDir,
    logger: run.logger,
    env: { ...TS_FIXTURE_ENV, PORTABLE_PLUGIN_NAME: name, ...env },
    timeouts: { initMs: 15_000, commandMs: 10_000, callMs: 10_000, stopGraceMs: 2_000 },
    restart: { firstDelayMs: 100, maxDelayMs: 200, maxRestarts: 3 },
    ...options,
  });
  await host.install(name, await copyPlugin(TS_FIXTURE_DIR, "tsfixture", name));
  return { host, name };
}

/** The PortableConfig argument the process was started with (its last argv element). */
function startArgument(pid: number | undefined): string {
  const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  return argv.at(-1) ?? "";
}

describe("the host offers and learns (§10.2, §10.4)", () => {
  it("offers [1,2] by default; our SDK agrees on 2, shown in info and status; calls work as v1", async () => {
    const { host, name } = await setup({ FIXTURE_MODE: "normal" });
    const fn = await host.function("tsecho");
    const pid = host.status(name)?.pid;
    expect(startArgument(pid)).toBe('{"sendTimeout":1000,"protocolVersions":[1,2]}');
    expect(host.info(name)?.protocolVersion).toBe(2);
    expect(host.status(name)).toMatchObject({ status: "running", protocolVersion: 2, pid });
    expect(await fn.exec(["x"], { ruleId: "r1", opId: "op1" })).toBe("x");
    expect(run.logger.lines.some((l) => l.includes("protocol version 2"))).toBe(true);
  });

  it("protocolVersions [1]: no key in the argument (as a reference host), version 1, no status key", async () => {
    const { host, name } = await setup({ FIXTURE_MODE: "normal" }, { protocolVersions: [1] });
    const fn = await host.function("tsecho");
    const status = host.status(name);
    expect(startArgument(status?.pid)).toBe('{"sendTimeout":1000}');
    expect(host.info(name)?.protocolVersion).toBe(1);
    expect(status?.status).toBe("running");
    expect(status).not.toHaveProperty("protocolVersion");
    expect(await fn.exec([1], { ruleId: "r1", opId: "op1" })).toBe(1);
  });

  it("refuses an offer that breaks §10.2 or names a version it does not implement", async () => {
    const dataDir = await tempDir("pp-data-");
    for (const protocolVersions of [[2], [1, 1], [2, 1], [1, 3]]) {
      expect(
        () => new PortableHost({ dataDir, socketDir: run.socketDir, protocolVersions }),
        JSON.stringify(protocolVersions),
      ).toThrow(RangeError);
    }
  });

  const refused: Array<[string, string, readonly number[] | undefined]> = [
    ["handshake v=3", "protocol version 3 not offered", undefined],
    ["handshake v=2", "protocol version 2 not offered", [1]],
    ["handshake v=02", "protocol version 02 not offered", undefined],
    ["handshake v=1", "protocol version 1 not offered", undefined],
  ];
  it.each(refused)(
    "first request %j: protocol error, killed, status error %j, no restart",
    async (first, errMsg, offer) => {
      const { host, name } = await setup(
        { FIXTURE_MODE: "announce", FIXTURE_HANDSHAKE: first },
        offer === undefined ? {} : { protocolVersions: offer },
      );
      await expect(host.function("tsecho")).rejects.toMatchObject({ plugin: name });
      await waitFor("status error", async () =>
        host.status(name)?.status === "error" ? true : undefined,
      );
      expect(host.status(name)).toEqual({ refCount: {}, status: "error", errMsg });
      expect(host.info(name)?.restarts).toBe(0);
      expect(
        run.logger.lines.some((l) => l.includes(`protocol error on ipc://`) && l.includes(errMsg)),
      ).toBe(true);
    },
  );

  it("a later control handshake of another form (v=2, then a plain keepalive) is the same protocol error", async () => {
    const { host, name } = await setup({
      FIXTURE_MODE: "announce",
      FIXTURE_HANDSHAKE: "handshake v=2",
      FIXTURE_KEEPALIVE: "handshake",
    });
    const src = await host
      .source("counter", { ruleId: "r1", opId: "op1" })
      .catch((e: unknown) => e);
    expect(src).toMatchObject({ code: "PORTABLE_E_CHANNEL", plugin: name });
    await waitFor("status error", async () =>
      host.status(name)?.status === "error" ? true : undefined,
    );
    expect(host.status(name)).toEqual({
      refCount: {},
      status: "error",
      errMsg: "protocol version changed: handshake v=1 after version 2 was agreed",
    });
    expect(host.info(name)?.restarts).toBe(0);
  });

  it("a changed form while instances are remembered: status error, no restart, the instances fail", async () => {
    const { host, name } = await setup({
      FIXTURE_MODE: "announce",
      FIXTURE_HANDSHAKE: "handshake v=2",
      FIXTURE_KEEPALIVE: "handshake",
      FIXTURE_OK_FIRST: "1",
    });
    const first = await host.source("counter", { ruleId: "r1", opId: "op1" });
    expect(host.info(name)?.protocolVersion).toBe(2);
    const second = await host
      .source("counter", { ruleId: "r2", opId: "op1" })
      .catch((e: unknown) => e);
    expect(second).toMatchObject({ code: "PORTABLE_E_CHANNEL", plugin: name });
    await waitFor("status error", async () =>
      host.status(name)?.status === "error" ? true : undefined,
    );
    // A restart would bring the same program back to the same error: none happens.
    await new Promise((r) => setTimeout(r, 500));
    expect(host.status(name)).toMatchObject({
      status: "error",
      errMsg: "protocol version changed: handshake v=1 after version 2 was agreed",
    });
    expect(host.info(name)?.restarts).toBe(0);
    await first.close();
  });

  it("a function channel whose first request has another form than the control channel's is the same protocol error", async () => {
    const { host, name } = await setup({
      FIXTURE_MODE: "announce",
      FIXTURE_HANDSHAKE: "handshake v=2",
      FIXTURE_FUNC_HANDSHAKE: "handshake",
    });
    await expect(host.function("tsecho")).rejects.toMatchObject({ plugin: name });
    await waitFor("status error", async () =>
      host.status(name)?.status === "error" ? true : undefined,
    );
    expect(host.status(name)?.errMsg).toBe(
      "protocol version changed: handshake v=1 after version 2 was agreed",
    );
    expect(host.info(name)?.restarts).toBe(0);
  });

  it("a first request that is no handshake at all is version 1, as a v1 host takes it (row 4)", async () => {
    const { host, name } = await setup({ FIXTURE_MODE: "announce", FIXTURE_HANDSHAKE: "hello" });
    const src = await host.source("counter", { ruleId: "r1", opId: "op1" });
    expect(host.status(name)?.status).toBe("running");
    expect(host.info(name)?.protocolVersion).toBe(1);
    expect(
      run.logger.lines.some((l) => l.includes('first control request is not "handshake"')),
    ).toBe(true);
    await src.close();
  });
});
