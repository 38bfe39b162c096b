// The SDK runtime driven over the real wire by the in-process test host of
// @portable-plugins/sdk/testing: control, source, sink and function channels.

import {
  encodeFunctionCall,
  FuncReply,
  isHandshake,
  type JsonObject,
} from "@portable-plugins/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { definePlugin, type PluginDefinition } from "../src/index.js";
import {
  type ControlHost,
  functionListener,
  meta,
  sinkSockets,
  sourceListener,
  TestHost,
} from "../src/testing/index.js";
import { loadVector } from "./support/vectors.js";

let test: TestHost | undefined;
/** The socket folder of the current test's host. */
let dir: string;

afterEach(async () => {
  // Nothing left behind: every socket file the plugin made is gone.
  const left = await test?.close();
  test = undefined;
  expect(left ?? []).toEqual([]);
});

async function run(
  def: PluginDefinition,
  keepaliveMs = 5000,
  controlKeepalive?: boolean,
): Promise<ControlHost> {
  test = await TestHost.start(def, {
    keepaliveMs,
    ...(controlKeepalive === undefined ? {} : { controlKeepalive }),
  });
  dir = test.dir;
  return test.control;
}

const counter = definePlugin({
  name: "counter",
  sources: {
    count: () => ({
      async open(ctx) {
        for (let i = 0; !ctx.signal.aborted; i++) {
          await ctx.emit({ n: i }, { seq: i });
          await new Promise((r) => setTimeout(r, 5));
        }
      },
    }),
    iter: () => ({
      async *open() {
        yield { message: { a: 1 } };
        yield { message: { a: 2 }, meta: { m: true } };
      },
    }),
    broken: () => ({
      open() {
        throw new Error("no data today");
      },
    }),
  },
  sinks: {
    collect: () => ({
      collect(_ctx, data) {
        const rows = data.rows();
        if (rows.some((r) => r["fail"] === true)) throw new Error("row refused");
      },
    }),
  },
  functions: {
    echo: () => ({
      validate(args) {
        if (args.length !== 1)
          throw new Error(`echo takes exactly one argument, got ${args.length}`);
      },
      exec(args) {
        return args[0] ?? null;
      },
    }),
    explode: () => ({
      exec() {
        throw new TypeError("boom in user code");
      },
      isAggregate: () => true,
    }),
  },
});

describe("plugin runtime: control channel", () => {
  it("handshakes, then answers ok to a start and to a stop", async () => {
    const h = await run(counter);
    const m = meta("r1");
    const pull = await sourceListener(m, dir);
    expect(await h.command("start", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
      "ok",
    );
    expect(await h.command("stop", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
      "ok",
    );
    await pull.close();
  });

  it("answers an error that never starts with h for an unknown symbol, and keeps serving", async () => {
    const h = await run(counter);
    const answer = await h.command("start", {
      symbolName: "nosuch",
      meta: meta("r1"),
      pluginType: "source",
    });
    expect(answer).toBe("symbol not found: source nosuch");
    expect(answer.startsWith("h")).toBe(false);
    expect(
      await h.command("start", { symbolName: "echo", meta: meta("", 0), pluginType: "func" }),
    ).not.toBe("ok");
  });

  it("answers a malformed command with an error naming the field", async () => {
    const h = await run(counter);
    await h.rep.send(
      '{"cmd":"start","arg":"{\\"symbolName\\":\\"count\\",\\"pluginType\\":\\"table\\"}"}',
    );
    const answer = (await h.recv()).toString();
    expect(answer).toMatch(
      /^invalid command: Command\.arg\.pluginType: expected one of source, sink, func/,
    );
  });

  it("sends handshake again after keepaliveMs of silence (PROTOCOL.md §5.2)", async () => {
    const h = await run(counter, 150);
    const again = await h.recv();
    expect(isHandshake(again)).toBe(true);
    // The channel still works after the keepalive.
    const m = meta("r1");
    const pull = await sourceListener(m, dir);
    expect(await h.command("start", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
      "ok",
    );
    await pull.close();
  });

  it("sends no keepalive on the control channel when that is switched off (PROTOCOL.md §5.2, Q43)", async () => {
    const h = await run(counter, 100, false);
    h.rep.setOption("recvTimeout", 600);
    await expect(h.recv()).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
  });

  it("shuts down when the host closes the control channel", async () => {
    const h = await run(counter);
    const p = test?.plugin;
    await h.close();
    await expect(p?.closed).resolves.toBeUndefined();
  });
});

describe("plugin runtime: sources", () => {
  it("pushes envelopes in Go's dialect until stopped, then nothing more", async () => {
    const h = await run(counter);
    const m = meta("r2");
    const pull = await sourceListener(m, dir);
    await h.command("start", { symbolName: "count", meta: m, pluginType: "source" });
    const first = await pull.recv();
    expect(first.toString()).toBe('{"message":{"n":0},"meta":{"seq":0}}');
    await h.command("stop", { symbolName: "count", meta: m, pluginType: "source" });
    pull.setOption("recvTimeout", 100);
    // Drain what was in flight, then expect silence.
    let drained = 0;
    while (
      await pull.recv().then(
        () => true,
        () => false,
      )
    )
      drained++;
    expect(drained).toBeLessThan(50);
    await pull.close();
  });

  it("drains an async-iterator source", async () => {
    const h = await run(counter);
    const m = meta("r3");
    const pull = await sourceListener(m, dir);
    await h.command("start", { symbolName: "iter", meta: m, pluginType: "source" });
    expect((await pull.recv()).toString()).toBe('{"message":{"a":1},"meta":null}');
    expect((await pull.recv()).toString()).toBe('{"message":{"a":2},"meta":{"m":true}}');
    await h.command("stop", { symbolName: "iter", meta: m, pluginType: "source" });
    await pull.close();
  });

  it("reports a failing source as an error envelope (the object form)", async () => {
    const h = await run(counter);
    const m = meta("r4");
    const pull = await sourceListener(m, dir);
    await h.command("start", { symbolName: "broken", meta: m, pluginType: "source" });
    expect((await pull.recv()).toString()).toBe('{"error":"no data today"}');
    await h.command("stop", { symbolName: "broken", meta: m, pluginType: "source" });
    await pull.close();
  });

  it("serves 100 instances of a source at once, each on its own channel", async () => {
    const h = await run(counter);
    const metas = Array.from({ length: 100 }, (_, i) => meta("many", i));
    const pulls = await Promise.all(metas.map((m) => sourceListener(m, dir)));
    for (const m of metas)
      expect(await h.command("start", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
        "ok",
      );
    const firsts = await Promise.all(pulls.map((p) => p.recv()));
    expect(firsts.every((b) => b.toString() === '{"message":{"n":0},"meta":{"seq":0}}')).toBe(true);
    for (const m of metas)
      expect(await h.command("stop", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
        "ok",
      );
    await Promise.all(pulls.map((p) => p.close()));
  }, 30_000);

  it("survives start/stop races: stop right after start, start again, twice in a row", async () => {
    const h = await run(counter);
    const m = meta("race");
    const pull = await sourceListener(m, dir);
    for (let i = 0; i < 20; i++) {
      expect(await h.command("start", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
        "ok",
      );
      expect(await h.command("start", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
        "ok",
      );
      expect(await h.command("stop", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
        "ok",
      );
      expect(await h.command("stop", { symbolName: "count", meta: m, pluginType: "source" })).toBe(
        "ok",
      );
    }
    await pull.close();
  }, 30_000);
});

describe("plugin runtime: sinks", () => {
  it("acks each message when the config asks for acks: {} for success, the error otherwise", async () => {
    const h = await run(counter);
    const m = meta("s1");
    const { ack, connect } = await sinkSockets(m, dir);
    const config: JsonObject = { requireAck: true };
    expect(
      await h.command("start", { symbolName: "collect", meta: m, pluginType: "sink", config }),
    ).toBe("ok");
    const push = await connect();
    await push.send('{"a":1}');
    expect((await ack.recv()).toString()).toBe("{}");
    await push.send('[{"a":1},{"fail":true}]');
    expect((await ack.recv()).toString()).toBe('{"error":"row refused"}');
    expect(await h.command("stop", { symbolName: "collect", meta: m, pluginType: "sink" })).toBe(
      "ok",
    );
    await Promise.all([push.close(), ack.close()]);
  });

  it("sends no ack when the config does not ask for one", async () => {
    const h = await run(counter);
    const m = meta("s2");
    const { ack, connect } = await sinkSockets(m, dir);
    await h.command("start", { symbolName: "collect", meta: m, pluginType: "sink" });
    const push = await connect();
    await push.send('{"a":1}');
    ack.setOption("recvTimeout", 300);
    await expect(ack.recv()).rejects.toMatchObject({ code: "PORTABLE_E_TIMEOUT" });
    expect(ack.pipeCount).toBe(0);
    await h.command("stop", { symbolName: "collect", meta: m, pluginType: "sink" });
    await Promise.all([push.close(), ack.close()]);
  });
});

describe("plugin runtime: functions", () => {
  async function call(
    rep: Awaited<ReturnType<typeof functionListener>>,
    bytes: Buffer,
  ): Promise<Buffer> {
    for (;;) {
      await rep.send(bytes);
      const r = await rep.recv();
      if (!isHandshake(r)) return r;
    }
  }

  it("answers Validate, Exec and IsAggregate with the bytes the Go SDK sends", async () => {
    const h = await run(counter);
    const rep = await functionListener("echo", dir);
    expect(
      await h.command("start", { symbolName: "echo", meta: meta("", 0), pluginType: "func" }),
    ).toBe("ok");
    expect(isHandshake(await rep.recv())).toBe(true);
    const validateOk = await call(rep, encodeFunctionCall({ func: "Validate", args: [1] }));
    expect(validateOk.toString("hex")).toBe(loadVector("go-sdk", "func-reply", "validate-ok").hex);
    const ctx = { ruleId: "r", opId: "o", instanceId: 0, funcId: 1 };
    const exec = await call(
      rep,
      encodeFunctionCall({ func: "Exec", args: [{ b: 1, a: "<x>" }], context: ctx }),
    );
    expect(exec.toString()).toBe('{"state":true,"result":{"a":"\\u003cx\\u003e","b":1}}');
    const agg = await call(rep, encodeFunctionCall({ func: "IsAggregate" }));
    expect(FuncReply.decode(agg)).toEqual({ state: true, result: false });
    const bad = await call(rep, encodeFunctionCall({ func: "Validate", args: [1, 2] }));
    expect(FuncReply.decode(bad)).toEqual({
      state: false,
      result: "echo takes exactly one argument, got 2",
    });
    await rep.close();
  });

  it("turns an exception in user code into state:false, and keeps serving", async () => {
    const h = await run(counter);
    const rep = await functionListener("explode", dir);
    await h.command("start", { symbolName: "explode", meta: meta("", 0), pluginType: "func" });
    await rep.recv();
    const ctx = { ruleId: "r", opId: "o", instanceId: 0, funcId: 1 };
    for (let i = 0; i < 3; i++) {
      const r = await call(rep, encodeFunctionCall({ func: "Exec", args: [], context: ctx }));
      expect(FuncReply.decode(r)).toEqual({ state: false, result: "boom in user code" });
    }
    expect(FuncReply.decode(await call(rep, encodeFunctionCall({ func: "IsAggregate" })))).toEqual({
      state: true,
      result: true,
    });
    await rep.close();
  });

  it("serves a function once, whatever the number of start commands", async () => {
    const h = await run(counter);
    const rep = await functionListener("echo", dir);
    for (let i = 0; i < 3; i++) {
      expect(
        await h.command("start", { symbolName: "echo", meta: meta("", 0), pluginType: "func" }),
      ).toBe("ok");
    }
    await rep.recv();
    expect(rep.pipeCount).toBe(1);
    await rep.close();
  });
});
