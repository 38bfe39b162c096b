// The state store's contract (PROTOCOL.md §13), run against both real backends:
// SQLite in a temp file and a real redis-server on a free port. The same cases
// for both (describe.each); Redis alone adds a server killed mid-use.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HostError } from "../../src/errors.js";
import { RedisStateStore } from "../../src/state/redis.js";
import { SqliteStateStore } from "../../src/state/sqlite.js";
import type { StateInstance, StateLimits, StateStore } from "../../src/state/store.js";
import { REDIS_HINT, RedisServer, redisAvailable } from "./redis-server.js";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : new TextDecoder().decode(b);
const A: StateInstance = { plugin: "mirror", symbol: "pyjson", rule: "r1", op: "op1", instance: 0 };

let tempDir = "";
let redis: RedisServer | undefined;
let counter = 0;
const redisOk = redisAvailable();

beforeAll(async () => {
  tempDir = mkdtempSync(join(tmpdir(), "portable-state-"));
  if (redisOk.ok) {
    redis = new RedisServer();
    await redis.start();
  }
}, 20_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(tempDir, { recursive: true, force: true });
});

type Open = (limits?: Partial<StateLimits>) => Promise<StateStore>;
const backends: { name: string; open: Open }[] = [
  {
    name: "sqlite",
    open: async (limits) =>
      new SqliteStateStore({
        path: join(tempDir, `s${++counter}.db`),
        ...(limits ? { limits } : {}),
      }),
  },
  {
    name: "redis",
    open: async (limits) =>
      RedisStateStore.open({
        url: redis?.url ?? "redis://127.0.0.1:1",
        prefix: `t${++counter}:`,
        ...(limits ? { limits } : {}),
      }),
  },
];

if (!redisOk.ok) {
  if (process.env.CI) {
    it("redis-server is installed (required in CI)", () => {
      throw new Error(`redis-server missing: ${redisOk.reason}; ${REDIS_HINT}`);
    });
  } else {
    console.warn(`[state] SKIPPING the redis backend: ${redisOk.reason}; ${REDIS_HINT}`);
    backends.pop();
  }
}

describe.each(backends)("state store contract: $name", ({ name, open }) => {
  it("puts, gets, overwrites and deletes a key of one instance", async () => {
    const s = await open();
    expect(s.backend).toBe(name);
    expect(await s.get(A, "offset")).toBeUndefined();
    await s.put(A, "offset", enc("41"));
    await s.put(A, "offset", enc("42"));
    await s.put(A, "name", enc('"x"'));
    expect(dec(await s.get(A, "offset"))).toBe("42");
    expect(await s.keys(A)).toEqual(["name", "offset"]);
    expect(await s.delete(A, "offset")).toBe(true);
    expect(await s.delete(A, "offset")).toBe(false);
    expect(await s.get(A, "offset")).toBeUndefined();
    expect(await s.keys(A)).toEqual(["name"]);
    await s.close();
  });

  it("keeps instances apart, whichever part of the key differs (names with : and %)", async () => {
    const s = await open();
    const variants: StateInstance[] = [
      A,
      { ...A, plugin: "other" },
      { ...A, symbol: "pyjson2" },
      { ...A, rule: "r2" },
      { ...A, op: "op2" },
      { ...A, instance: 1 },
      { ...A, rule: "a:b", op: "c" },
      { ...A, rule: "a", op: "b:c" },
      { ...A, rule: "%3A", op: "é ü" },
    ];
    await Promise.all(variants.map((v, i) => s.put(v, "k", enc(String(i)))));
    for (const [i, v] of variants.entries()) expect(dec(await s.get(v, "k"))).toBe(String(i));
    await s.delete(variants[3] as StateInstance, "k");
    expect(await s.get(variants[3] as StateInstance, "k")).toBeUndefined();
    expect(dec(await s.get(A, "k"))).toBe("0");
    expect((await s.snapshot()).entries).toHaveLength(variants.length - 1);
    await s.close();
  });

  it("stores a value at the size limit byte for byte and refuses one byte more, naming the instance", async () => {
    const s = await open();
    const big = new Uint8Array(s.limits.maxValueBytes);
    for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
    await s.put(A, "blob", big);
    expect(Buffer.from((await s.get(A, "blob")) as Uint8Array).equals(Buffer.from(big))).toBe(true);
    const err = await s.put(A, "blob2", new Uint8Array(big.length + 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostError);
    expect(err).toMatchObject({ code: "PORTABLE_E_STATE_QUOTA", backend: name, plugin: "mirror" });
    expect(err).toMatchObject({ symbol: "pyjson", rule: "r1" });
    expect(await s.get(A, "blob2")).toBeUndefined();
    await s.close();
  });

  it("refuses a new key over the per-instance quota, still overwrites and frees on delete", async () => {
    const s = await open({ maxKeysPerInstance: 3 });
    for (const k of ["a", "b", "c"]) await s.put(A, k, enc(k));
    const err = await s.put(A, "d", enc("d")).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PORTABLE_E_STATE_QUOTA", backend: name, field: "key" });
    await s.put(A, "c", enc("c2"));
    await s.put({ ...A, instance: 7 }, "d", enc("other instance"));
    await s.delete(A, "a");
    await s.put(A, "d", enc("d"));
    expect(await s.keys(A)).toEqual(["b", "c", "d"]);
    const empty = await s.put(A, "", enc("x")).catch((e: unknown) => e);
    expect(empty).toMatchObject({ code: "PORTABLE_E_STATE_QUOTA" });
    await s.close();
  });

  it("drops a plugin's state and a rule's state, and nothing else", async () => {
    const s = await open();
    await s.put(A, "k", enc("1"));
    await s.put({ ...A, op: "op2" }, "k", enc("2"));
    await s.put({ ...A, rule: "r2" }, "k", enc("3"));
    await s.put({ ...A, plugin: "p2", rule: "r2" }, "k", enc("4"));
    await s.put({ ...A, plugin: "p2", rule: "r1" }, "k", enc("5"));
    expect(await s.dropRule("r1")).toBe(3);
    expect(await s.get(A, "k")).toBeUndefined();
    expect(dec(await s.get({ ...A, rule: "r2" }, "k"))).toBe("3");
    expect(await s.dropPlugin("mirror")).toBe(1);
    const left = (await s.snapshot()).entries;
    expect(left.map((e) => [e.instance.plugin, e.instance.rule, dec(e.value)])).toEqual([
      ["p2", "r2", "4"],
    ]);
    expect(await s.dropRule("nope")).toBe(0);
    await s.close();
  });

  it("takes a snapshot that sees every put issued before it and none after, and restores it", async () => {
    const s = await open();
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++)
      writes.push(s.put({ ...A, instance: i % 5 }, `k${i}`, enc(String(i))));
    const snap = s.snapshot();
    for (let i = 200; i < 300; i++) writes.push(s.put(A, `k${i}`, enc(String(i))));
    await Promise.all(writes);
    const taken = await snap;
    expect(taken.backend).toBe(name);
    expect(taken.entries).toHaveLength(200);
    await s.put(A, "k0", enc("changed"));
    await s.dropPlugin("mirror");
    await s.put({ ...A, plugin: "late" }, "x", enc("gone after restore"));
    await s.restore(taken);
    expect((await s.snapshot()).entries).toEqual(taken.entries);
    expect(dec(await s.get(A, "k0"))).toBe("0");
    expect(await s.get({ ...A, plugin: "late" }, "x")).toBeUndefined();
    await s.close();
  });

  it("restores a snapshot of the other backend's shape into a fresh store", async () => {
    const s = await open();
    await s.put(A, "offset", enc("9"));
    await s.put({ ...A, rule: "ü:1" }, "bin", new Uint8Array([0, 255, 1]));
    const taken = await s.snapshot();
    const t = await open();
    await t.restore({ ...taken, backend: name === "sqlite" ? "redis" : "sqlite" });
    expect((await t.snapshot()).entries).toEqual(taken.entries);
    await Promise.all([s.close(), t.close()]);
  });

  it("answers PORTABLE_E_CLOSED after close", async () => {
    const s = await open();
    await s.close();
    await s.close();
    await expect(s.get(A, "k")).rejects.toMatchObject({ code: "PORTABLE_E_CLOSED", backend: name });
  });
});

describe("sqlite backend", () => {
  it("keeps every put acked before a kill -9 of the writing process", async () => {
    const path = join(tempDir, "killed.db");
    const store = new URL("../../dist/state/sqlite.js", import.meta.url).href;
    const script = `
      const { SqliteStateStore } = await import(${JSON.stringify(store)});
      const s = new SqliteStateStore({ path: ${JSON.stringify(path)} });
      const i = ${JSON.stringify(A)};
      for (let n = 1; ; n++) {
        await s.put(i, "offset", new TextEncoder().encode(String(n)));
        process.stdout.write(n + "\\n");
      }`;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let acked = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d: Buffer) => {
        const lines = d.toString().trim().split("\n");
        acked = Number(lines[lines.length - 1]);
        if (acked >= 200 && !child.killed) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((r) => child.once("exit", r));
    const t = new SqliteStateStore({ path });
    expect(Number(dec(await t.get(A, "offset")))).toBeGreaterThanOrEqual(acked);
    await t.close();
  });

  it("keeps acked puts across a reopen of the file (WAL, synchronous FULL)", async () => {
    const path = join(tempDir, "reopen.db");
    const s = new SqliteStateStore({ path });
    await s.put(A, "offset", enc("123"));
    await s.close();
    const t = new SqliteStateStore({ path });
    expect(dec(await t.get(A, "offset"))).toBe("123");
    await t.close();
  });
});

describe.runIf(redisOk.ok)("redis backend, server killed", () => {
  it("fails calls with a RETRYABLE PORTABLE_E_STATE naming the instance, then reconnects with acked puts kept", async () => {
    const server = new RedisServer();
    await server.start();
    try {
      const s = await RedisStateStore.open({ url: server.url });
      await s.put(A, "offset", enc("77"));
      await server.kill();
      const err = await s.put(A, "offset", enc("78")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HostError);
      expect(err).toMatchObject({
        code: "PORTABLE_E_STATE",
        backend: "redis",
        errorClass: "RETRYABLE",
      });
      expect(err).toMatchObject({
        plugin: "mirror",
        symbol: "pyjson",
        rule: "r1",
        url: server.url,
      });
      expect((err as Error).message).toContain(server.url);
      await server.start();
      let value: string | undefined;
      for (let i = 0; i < 100 && value === undefined; i++) {
        value = await s.get(A, "offset").then(dec, () => undefined);
        if (value === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      expect(value).toBe("77");
      await s.put(A, "offset", enc("78"));
      expect(dec(await s.get(A, "offset"))).toBe("78");
      await s.close();
    } finally {
      await server.stop();
    }
  });

  it("refuses to open when nothing answers, naming the URL", async () => {
    const server = new RedisServer();
    await server.start();
    const url = server.url;
    await server.stop();
    const err = await RedisStateStore.open({ url, connectTimeoutMs: 500 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "PORTABLE_E_STATE", backend: "redis", url });
  });
});
