// Host validation of typed symbols (PROTOCOL.md §6.4.1): with schemas in the
// plugin's description files, a function call whose arguments do not fit and
// a source or sink start whose configuration does not fit are refused with
// PORTABLE_E_TYPE, naming the argument, its path and the expected type —
// before the plugin sees them (with `checkTypes: false` the same call or
// start reaches the plugin, which accepts it). The plugin is the TypeScript
// fixture on our SDK; its own checks are arity only.

import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { PortableHost } from "../src/host.js";
import { tempDir } from "./helpers.js";
import {
  collectingLogger,
  copyPlugin,
  nextWithin,
  TS_FIXTURE_DIR,
  TS_FIXTURE_ENV,
  uniqueName,
} from "./runtime-helpers.js";

const about = { trial: false };
const DESCRIPTIONS = {
  "functions/tsecho.json": {
    about,
    functions: [
      {
        name: "tsecho",
        signature: {
          params: [
            {
              name: "point",
              schema: {
                type: "object",
                properties: {
                  x: { type: "integer" },
                  tags: { type: "array", items: { type: "string" } },
                },
                required: ["x"],
              },
            },
          ],
          result: true,
        },
      },
    ],
  },
  "sources/counter.json": {
    about,
    schema: {
      config: {
        type: "object",
        properties: { interval: { type: "integer", minimum: 1 } },
        required: ["interval"],
      },
      row: { type: "object" },
    },
  },
  "sinks/collect.json": {
    about,
    schema: { config: { type: "object", properties: { path: { type: "string" } } } },
  },
};

let host: PortableHost | undefined;

afterEach(async () => {
  await host?.close();
  host = undefined;
});

async function typedFixture(checkTypes: boolean): Promise<{ host: PortableHost; name: string }> {
  const name = uniqueName("typed");
  const dir = await copyPlugin(TS_FIXTURE_DIR, "tsfixture", name);
  for (const [file, content] of Object.entries(DESCRIPTIONS)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), JSON.stringify(content));
  }
  host = new PortableHost({
    dataDir: await tempDir("pp-typed-data-"),
    socketDir: await tempDir("pp-typed-sock-"),
    logger: collectingLogger(),
    env: { ...TS_FIXTURE_ENV, PORTABLE_PLUGIN_NAME: name, FIXTURE_MODE: "normal" },
    checkTypes,
  });
  await host.install(name, dir);
  return { host, name };
}

async function rejection(p: Promise<unknown>): Promise<HostError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HostError);
  return err as HostError;
}

describe("typed symbols under the host", () => {
  it("refuses arguments that do not fit at Validate and at Exec, naming argument, path and type", async () => {
    const { host, name } = await typedFixture(true);
    const fn = await host.function("tsecho");
    const ctx = { ruleId: "r1", opId: "op" };
    expect(await fn.exec([{ x: 1, tags: ["a"] }], ctx)).toEqual({ x: 1, tags: ["a"] });
    await fn.validate([{ x: 2 }]);

    const atValidate = await rejection(fn.validate([{ x: "1" }]));
    expect(atValidate.code).toBe("PORTABLE_E_TYPE");
    expect(atValidate.message).toBe(
      `plugin ${name}: function tsecho: argument 1 (point) at /x: expected integer, got string "1"`,
    );
    expect([atValidate.plugin, atValidate.symbol]).toEqual([name, "tsecho"]);

    const atExec = await rejection(fn.exec([{ x: 1, tags: ["a", 2] }], ctx));
    expect(atExec.code).toBe("PORTABLE_E_TYPE");
    expect(atExec.message).toContain(
      "argument 1 (point) at /tags/1: expected string, got number 2",
    );

    const arity = await rejection(fn.exec([{ x: 1 }, 2], ctx));
    expect(arity.message).toContain("arguments: expected 1 argument, got 2");

    // A batch: the misfit gets its own error, the others are computed.
    const out = await fn.execBatch([[{ x: 1 }], [{}], [{ x: 3 }]], ctx);
    expect(out[0]).toEqual({ ok: true, value: { x: 1 } });
    expect(out[2]).toEqual({ ok: true, value: { x: 3 } });
    expect(out[1]?.ok).toBe(false);
    const batchErr = out[1]?.ok === false ? out[1].error : undefined;
    expect(batchErr?.code).toBe("PORTABLE_E_TYPE");
    expect(batchErr?.message).toContain(
      'argument 1 (point) at /x: expected a value (property "x" is required), got nothing',
    );
  }, 30_000);

  it("without checkTypes the same calls reach the plugin, which accepts them", async () => {
    const { host } = await typedFixture(false);
    const fn = await host.function("tsecho");
    await fn.validate([{ x: "1" }]);
    expect(await fn.exec([{ x: "1" }], { ruleId: "r1", opId: "op" })).toEqual({ x: "1" });
    // Arity is the plugin's own check then: its message, its code.
    const arity = await rejection(fn.validate([{ x: 1 }, 2]));
    expect(arity.code).toBe("PORTABLE_E_FUNCTION");
    expect(arity.message).toContain("tsecho takes 1 argument, got 2");
  }, 30_000);

  it("refuses a source start whose configuration does not fit, before the plugin starts", async () => {
    const { host, name } = await typedFixture(true);
    const err = await rejection(
      host.source("counter", { ruleId: "r2", opId: "op" }, { config: { interval: "fast" } }),
    );
    expect(err.code).toBe("PORTABLE_E_TYPE");
    expect(err.message).toBe(
      `plugin ${name}: source counter: configuration at /interval: expected integer, got string "fast"`,
    );
    // Nothing was sent: the plugin's process was never started for it.
    expect(host.info(name)?.pid).toBeUndefined();
    // The instance key was released: the same instance starts with a fitting configuration,
    // and the data source the host adds to the configuration is not held against it.
    const src = await host.source(
      "counter",
      { ruleId: "r2", opId: "op" },
      { config: { interval: 5 }, dataSource: "topic/a" },
    );
    expect((await nextWithin(src, 5_000)).message).toEqual({ n: 0 });
    await src.close();
  }, 30_000);

  it("refuses a sink start whose configuration does not fit; without checkTypes it starts", async () => {
    const typed = await typedFixture(true);
    const err = await rejection(
      typed.host.sink("collect", { ruleId: "r3", opId: "op" }, { path: 7 }),
    );
    expect(err.code).toBe("PORTABLE_E_TYPE");
    expect(err.message).toBe(
      `plugin ${typed.name}: sink collect: configuration at /path: expected string, got number 7`,
    );
    await typed.host.close();
    const untyped = await typedFixture(false);
    const sink = await untyped.host.sink("collect", { ruleId: "r3", opId: "op" }, { path: 7 });
    await sink.close();
  }, 30_000);
});
