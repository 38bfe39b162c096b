// The host's use of its state store (PROTOCOL.md §13): the `state` option picks
// the backend (SQLite in the data folder by default, a real redis-server), an
// uninstall drops the plugin's state and only its, and the host API drops a
// rule's state. Plugins are installed for real (the package fixtures), never run.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PortableHost } from "../../src/host.js";
import type { StateOptions } from "../../src/state/open.js";
import type { StateInstance } from "../../src/state/store.js";
import { fakePlugin, tempDir, writeZip } from "../helpers.js";
import { REDIS_HINT, RedisServer, redisAvailable } from "./redis-server.js";

const enc = (s: string) => new TextEncoder().encode(s);
const redisOk = redisAvailable();
let redis: RedisServer | undefined;
const hosts: PortableHost[] = [];

beforeAll(async () => {
  if (redisOk.ok) {
    redis = new RedisServer();
    await redis.start();
  }
}, 20_000);
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
});
afterAll(async () => {
  await redis?.stop();
});

const backends: { name: string; options: () => StateOptions | undefined }[] = [
  { name: "sqlite (default)", options: () => undefined },
  {
    name: "redis",
    options: () => ({
      backend: "redis",
      url: redis?.url ?? "redis://127.0.0.1:1",
      prefix: `h${Date.now()}:`,
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

async function hostWith(
  state: StateOptions | undefined,
): Promise<{ host: PortableHost; dataDir: string }> {
  const dataDir = await tempDir();
  const host = new PortableHost({
    dataDir,
    socketDir: join(dataDir, "sockets"),
    ...(state === undefined ? {} : { state }),
  });
  hosts.push(host);
  for (const name of ["alpha", "beta"]) {
    const zip = await writeZip(
      dataDir,
      `${name}.zip`,
      fakePlugin({
        name,
        sources: [`${name}src`],
        sinks: [`${name}sink`],
        functions: [`${name}fn`],
      }),
    );
    await host.install(name, zip);
  }
  return { host, dataDir };
}

const of = (plugin: string, rule: string): StateInstance => ({
  plugin,
  symbol: "random",
  rule,
  op: "op",
  instance: 0,
});

describe.each(backends)("host state: $name", ({ name, options }) => {
  it("uninstall drops the plugin's state and keeps the others'", async () => {
    const { host, dataDir } = await hostWith(options());
    const store = await host.state();
    expect(store.backend).toBe(name === "redis" ? "redis" : "sqlite");
    if (store.backend === "sqlite")
      expect(existsSync(join(dataDir, "state", "state.db"))).toBe(true);
    await store.put(of("alpha", "r1"), "offset", enc("1"));
    await store.put(of("alpha", "r2"), "offset", enc("2"));
    await store.put(of("beta", "r1"), "offset", enc("3"));
    await host.uninstall("alpha");
    expect(await store.get(of("alpha", "r1"), "offset")).toBeUndefined();
    expect(await store.get(of("alpha", "r2"), "offset")).toBeUndefined();
    expect(await store.get(of("beta", "r1"), "offset")).toEqual(enc("3"));
  });

  it("drops a rule's state through the host API, across plugins", async () => {
    const { host } = await hostWith(options());
    const store = await host.state();
    await store.put(of("alpha", "r1"), "offset", enc("1"));
    await store.put(of("beta", "r1"), "offset", enc("2"));
    await store.put(of("beta", "r2"), "offset", enc("3"));
    expect(await host.dropRuleState("r1")).toBe(2);
    const left = (await store.snapshot()).entries.map(
      (e) => `${e.instance.plugin}/${e.instance.rule}`,
    );
    expect(left).toEqual(["beta/r2"]);
  });
});

describe("host state: SQLite file", () => {
  it("is not created by an uninstall when no state was ever kept", async () => {
    const { host, dataDir } = await hostWith(undefined);
    await host.uninstall("alpha");
    expect(existsSync(join(dataDir, "state"))).toBe(false);
  });

  it("survives a host restart on the same data folder", async () => {
    const { host, dataDir } = await hostWith(undefined);
    await (await host.state()).put(of("beta", "r9"), "offset", enc("99"));
    await host.close();
    const again = new PortableHost({ dataDir, socketDir: join(dataDir, "sockets") });
    hosts.push(again);
    expect(await (await again.state()).get(of("beta", "r9"), "offset")).toEqual(enc("99"));
  });
});
