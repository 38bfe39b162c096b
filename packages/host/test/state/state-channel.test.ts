// The host's end of the state channel (PROTOCOL.md §13) with a real version-2
// plugin process: our TypeScript mirror (examples/mirror, packed as a user
// does) agrees on version 2, so the host listens on `state_mirror.ipc`; the
// test dials it with an SP REQ socket, as the SDK will, and checks each answer
// against the store. A version-1 process gets no state socket at all (§12.7).

import { existsSync } from "node:fs";
import { ReqSocket } from "@portable-plugins/nng";
import {
  decodeStateReply,
  encodeStateRequest,
  STATE_LIMITS,
  type StateReplyV2,
  type StateRequestV2,
  stateChannelUrl,
  stateSocketPath,
} from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { PortableHost } from "../../src/host.js";
import { tempDir } from "../helpers.js";
import { collectingLogger } from "../runtime-helpers.js";
import { usePackedTsMirror } from "../ts-mirror.js";

const enc = (s: string) => new TextEncoder().encode(s);

const mirror = usePackedTsMirror("pp-state-");
let host: PortableHost | undefined;
let req: ReqSocket | undefined;

afterEach(async () => {
  req?.close();
  req = undefined;
  await host?.close();
  host = undefined;
});

async function mirrorUnder(protocolVersions: readonly number[]) {
  const socketDir = await tempDir("pp-state-sock-");
  host = new PortableHost({
    dataDir: await tempDir("pp-state-data-"),
    socketDir,
    logger: collectingLogger(),
    timeouts: { initMs: 30_000, commandMs: 30_000, callMs: 15_000 },
    protocolVersions,
  });
  await host.install("mirror", mirror.zip());
  await host.function("echo"); // starts the process: it negotiates now
  expect(host.info("mirror")?.protocolVersion).toBe(Math.max(...protocolVersions));
  return socketDir;
}

async function ask(body: Uint8Array): Promise<StateReplyV2> {
  if (!req) throw new Error("not dialed");
  await req.send(body);
  return decodeStateReply(await req.recv());
}

const base = { symbol: "echo", ruleId: "rule1", opId: "op1", instanceId: 2, key: "offset" };
const request = (r: Partial<StateRequestV2> & Pick<StateRequestV2, "id" | "op">) =>
  encodeStateRequest({ ...base, ...r });

describe("state channel (host side)", () => {
  it("answers get, put and delete of a version-2 plugin from the store", async () => {
    const socketDir = await mirrorUnder([1, 2]);
    req = new ReqSocket({ recvTimeout: 10_000 });
    await req.dial(stateChannelUrl("mirror", socketDir));
    expect(await ask(request({ id: 1, op: "GET" }))).toEqual({ id: 1, found: false });
    expect(await ask(request({ id: 2, op: "PUT", value: enc("42") }))).toEqual({
      id: 2,
      found: false,
    });
    expect(await ask(request({ id: 3, op: "GET" }))).toEqual({
      id: 3,
      found: true,
      value: enc("42"),
    });
    const store = await (host as PortableHost).state();
    const instance = { plugin: "mirror", symbol: "echo", rule: "rule1", op: "op1", instance: 2 };
    expect(await store.get(instance, "offset")).toEqual(enc("42"));
    expect(await ask(request({ id: 4, op: "GET", instanceId: 3 }))).toEqual({
      id: 4,
      found: false,
    });
    expect(await ask(request({ id: 5, op: "DELETE" }))).toEqual({ id: 5, found: true });
    expect(await ask(request({ id: 6, op: "DELETE" }))).toEqual({ id: 6, found: false });
    expect(await store.get(instance, "offset")).toBeUndefined();
  });

  it("answers typed errors: quota, an undeclared symbol, a body that does not decode", async () => {
    const socketDir = await mirrorUnder([1, 2]);
    req = new ReqSocket({ recvTimeout: 10_000 });
    await req.dial(stateChannelUrl("mirror", socketDir));
    const big = new Uint8Array(STATE_LIMITS.maxValueBytes + 1);
    const quota = await ask(request({ id: 7, op: "PUT", value: big }));
    expect(quota).toMatchObject({
      id: 7,
      found: false,
      error: { code: "PORTABLE_E_STATE_QUOTA", class: "FATAL" },
    });
    const other = await ask(request({ id: 8, op: "GET", symbol: "nosuch" }));
    expect(other).toMatchObject({ id: 8, error: { code: "PORTABLE_E_NOT_FOUND", class: "FATAL" } });
    const bad = await ask(Buffer.from("02060801", "hex"));
    expect(bad).toMatchObject({ id: 0, error: { code: "PORTABLE_E_DECODE", class: "FATAL" } });
    expect(bad.error?.message).toContain("StateRequestV2");
    // The channel still answers after the errors.
    expect(await ask(request({ id: 9, op: "PUT", value: enc("1") }))).toEqual({
      id: 9,
      found: false,
    });
  });

  it("opens no state socket for a version-1 process, and removes it when the host closes", async () => {
    const v1 = await mirrorUnder([1]);
    expect(existsSync(stateSocketPath("mirror", v1))).toBe(false);
    await host?.close();
    const v2 = await mirrorUnder([1, 2]);
    expect(existsSync(stateSocketPath("mirror", v2))).toBe(true);
    await host?.close();
    expect(existsSync(stateSocketPath("mirror", v2))).toBe(false);
  });
});
