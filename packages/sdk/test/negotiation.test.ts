// Version negotiation in the SDK runtime (PROTOCOL.md §10.3), over the real
// wire: the plugin reads the offer, picks the highest common version and uses
// the same handshake form on the control channel, its keepalives and every
// function channel; without an offer (or with a bad one) it is a plain
// version-1 plugin; with no common version it refuses to start.

import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { decodeReplyBatch, encodeCallBatch, parseHandshake } from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { definePlugin, startPlugin } from "../src/index.js";
import {
  ControlHost,
  functionListener,
  meta as instanceMeta,
  socketDir,
  TestHost,
} from "../src/testing/index.js";

/** A plugin program that imports the built SDK. */
const V3ONLY = fileURLToPath(new URL("./fixtures/negotiation/v3only.mjs", import.meta.url));

let test: TestHost | undefined;

afterEach(async () => {
  const left = await test?.close();
  test = undefined;
  expect(left ?? []).toEqual([]);
});

const echo = definePlugin({
  name: "negotiator",
  functions: {
    echo: () => ({
      validate: () => undefined,
      exec: (args) => args[0] ?? null,
      isAggregate: () => false,
    }),
  },
});

describe("the plugin chooses (§10.3)", () => {
  it("offered [1,2]: agrees on 2 and announces `handshake v=2` on every handshake, and its function channel carries call batches (§12.3)", async () => {
    test = await TestHost.start(echo, { protocolVersions: [1, 2], keepaliveMs: 150 });
    expect(test.plugin.protocolVersion).toBe(2);
    expect(test.control.received[0]?.toString()).toBe("handshake v=2");
    // a control-channel keepalive has the same form
    expect((await test.control.recv()).toString()).toBe("handshake v=2");
    const rep = await functionListener("echo", test.dir);
    expect(
      await test.control.command("start", {
        symbolName: "echo",
        meta: instanceMeta("", 0),
        pluginType: "func",
      }),
    ).toBe("ok");
    expect((await rep.recv()).toString()).toBe("handshake v=2");
    // the function channel's keepalive too
    expect((await rep.recv()).toString()).toBe("handshake v=2");
    // on version 2 the calls are a CallBatchV2, the answer a ReplyBatchV2 (§12.3)
    await rep.send(
      encodeCallBatch([
        {
          id: 7,
          kind: "EXEC",
          args: ["x"],
          context: { ruleId: "r", opId: "o", instanceId: 0, funcId: 0 },
        },
      ]),
    );
    expect(decodeReplyBatch(await rep.recv())).toEqual({ replies: [{ id: 7, result: "x" }] });
    await rep.close();
  });

  it("no offer: a plain version-1 plugin (`handshake`, never `handshake v=1`)", async () => {
    test = await TestHost.start(echo, { keepaliveMs: 150 });
    expect(test.plugin.protocolVersion).toBe(1);
    expect(test.control.received[0]?.toString()).toBe("handshake");
    expect((await test.control.recv()).toString()).toBe("handshake");
  });

  it("a plugin that speaks only [1] answers an offer of [1,2] with the plain handshake", async () => {
    const dir = socketDir();
    const control = await new ControlHost("only-v1", dir.dir).listen();
    const plugin = await startPlugin(echo, {
      name: "only-v1",
      argv: ['{"sendTimeout":500,"protocolVersions":[1,2]}'],
      socketDir: dir.dir,
      ownProcess: false,
      protocolVersions: [1],
      logger: { debug() {}, info() {}, warn() {}, error() {} },
    });
    expect(plugin.protocolVersion).toBe(1);
    expect(await control.handshake()).toBe(1);
    await plugin.shutdown();
    await control.close();
    dir.remove();
  });

  it("a bad offer is treated as absent, not as a start-up error", async () => {
    for (const offer of [
      "[1,0]",
      "[1,-1]",
      "[1,1.5]",
      '[1,"2"]',
      "[1,null]",
      "[1,2,2]",
      "[]",
      "null",
    ]) {
      const dir = socketDir();
      const control = await new ControlHost("bad-offer", dir.dir).listen();
      const plugin = await startPlugin(echo, {
        name: "bad-offer",
        argv: [`{"sendTimeout":500,"protocolVersions":${offer}}`],
        socketDir: dir.dir,
        ownProcess: false,
        logger: { debug() {}, info() {}, warn() {}, error() {} },
      });
      expect(plugin.protocolVersion, offer).toBe(1);
      const first = await control.recv();
      expect(first.toString(), offer).toBe("handshake");
      expect(parseHandshake(first)).toBe(1);
      await plugin.shutdown();
      await control.close();
      dir.remove();
    }
  });

  it("no common version: refuses to start, naming both sets", async () => {
    await expect(
      startPlugin(echo, {
        argv: ['{"sendTimeout":1000,"protocolVersions":[3]}'],
        ownProcess: false,
      }),
    ).rejects.toMatchObject({
      code: "PORTABLE_E_ARGUMENT",
      message: "negotiator: no common protocol version: host offers [3], plugin speaks [1,2]",
    });
  });

  it("no common version in a real process: one stderr line and exit status 2", () => {
    const dir = socketDir();
    const r = spawnSync(process.execPath, [V3ONLY, '{"sendTimeout":1000,"protocolVersions":[3]}'], {
      encoding: "utf8",
      timeout: 10_000,
      env: { ...process.env, PORTABLE_SOCKET_DIR: dir.dir },
    });
    dir.remove();
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "v3only: no common protocol version: host offers [3], plugin speaks [1,2]\n",
    );
  });
});
