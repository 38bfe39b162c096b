// Plays the HOST for plugin.py (written from PROTOCOL.md alone) with our own
// packages: @portable-plugins/nng for the sockets, @portable-plugins/protocol
// for the messages. Section numbers refer to protocol/PROTOCOL.md.
//
// Names: the plugin name comes from PORTABLE_PLUGIN_NAME and the two function
// symbols from SPECFN_UPPER_SYMBOL / SPECFN_ADD_SYMBOL (plugin-side test hooks;
// the protocol defines no variables, §3.2). Every run uses a unique suffix, so
// /tmp/plugin_<name>.ipc and /tmp/func_<symbol>.ipc never collide with another
// test or host. The socket folder cannot be moved: §2.7 fixes it to /tmp.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RepSocket } from "@portable-plugins/nng";
import {
  Command,
  type Control,
  controlChannelUrl,
  decodeAnswer,
  encodeFunctionCall,
  FuncReply,
  functionChannelUrl,
  ipcPath,
  isHandshake,
  startsLikeHandshake,
} from "@portable-plugins/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pluginDir = fileURLToPath(new URL("../", import.meta.url));
const python = join(root, ".venv/bin/python");
const SETUP_HINT = "run `bash scripts/setup-peers.sh` from the repository root";

const suffix = `${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
const KEEPALIVE_MS = 5000; // K of §5.2, as the plugin uses it
const CONTEXT = { ruleId: "rule1", opId: "op1", instanceId: 0, funcId: 0 };

/** Byte-exact bodies the spec shows (§4.2.1, §4.6.3, Appendix A.7). */
const HANDSHAKE_BYTES = Buffer.from("68616e647368616b65", "hex");

// --- the host side of one REQ/REP channel (§5.2) ----------------------------

/**
 * A host REP socket following §5.2: it replies to its current request and
 * applies the first-byte rule (a message starting with `h` is a keepalive:
 * send the same command/call again). It does not see its receive queue, so it
 * takes "the slow way" of Appendix A.9 after a keepalive.
 */
class HostChannel {
  readonly rep = new RepSocket({ recvTimeout: 3 * KEEPALIVE_MS });
  /** Keepalive handshakes seen while waiting for an answer or reply. */
  keepalives = 0;
  private hasCurrent = false;

  constructor(readonly url: string) {}

  async listen(): Promise<void> {
    await this.rep.listen(this.url);
  }

  /** The first request of the channel; any content is accepted (§3.3, §5.3.3). */
  async first(): Promise<Buffer> {
    const msg = await this.rep.recv();
    this.hasCurrent = true;
    return msg;
  }

  /** Sends a command or call and returns the plugin's answer or reply. */
  async exchange(body: Buffer, timeoutMs = 15_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    if (!this.hasCurrent) await this.first();
    for (;;) {
      await this.rep.send(body);
      this.hasCurrent = false;
      const msg = await this.rep.recv();
      this.hasCurrent = true;
      if (!startsLikeHandshake(msg)) return msg;
      this.keepalives++;
      if (Date.now() > deadline) throw new Error(`no answer within ${timeoutMs} ms`);
    }
  }

  close(): Promise<void> {
    return this.rep.close();
  }
}

// --- the plugin process -----------------------------------------------------

interface Plugin {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function spawnPlugin(name: string, args: string[], env: Record<string, string> = {}): Plugin {
  const child = spawn(python, ["-u", "plugin.py", ...args], {
    cwd: pluginDir,
    env: { ...process.env, PORTABLE_PLUGIN_NAME: name, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output, exited };
}

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const socketFilesOfRun = () => readdirSync("/tmp").filter((f) => f.includes(suffix));

function startCommand(control: Control): Buffer {
  return Command.encode({ cmd: "start", arg: control });
}
const funcControl = (symbolName: string): Control => ({
  symbolName,
  meta: { ruleId: "", opId: "", instanceId: 0 },
  pluginType: "func",
});
const exec = (...args: (string | number | null)[]) =>
  encodeFunctionCall({ func: "Exec", args, context: CONTEXT });
const validate = (...args: (string | number)[]) => encodeFunctionCall({ func: "Validate", args });
const IS_AGGREGATE = encodeFunctionCall({ func: "IsAggregate" });

// --- availability -------------------------------------------------------------

function pythonAvailable(): string | undefined {
  if (!existsSync(python)) return `no Python venv at ${python}`;
  const r = spawnSync(python, ["-c", "import pynng"], { encoding: "utf8", timeout: 20_000 });
  return r.status === 0 ? undefined : `pynng not importable: ${r.stderr}`;
}
const missing = pythonAvailable();
if (missing && process.env.CI) {
  throw new Error(`spec-only-python needs ${python} with pynng: ${missing}; ${SETUP_HINT}`);
}
if (missing) console.warn(`[spec-only-python] SKIPPING: ${missing}; ${SETUP_HINT}`);
const suite = missing ? describe.skip : describe;

// --- the session ----------------------------------------------------------------

suite("spec-only Python plugin, driven by a host built on our packages", () => {
  const name = `specfn_${suffix}`;
  const UPPER = `up_${suffix}`;
  const ADD = `add_${suffix}`;
  const control = new HostChannel(controlChannelUrl(name));
  const upper = new HostChannel(functionChannelUrl(UPPER));
  const add = new HostChannel(functionChannelUrl(ADD));
  let plugin: Plugin | undefined;

  beforeAll(async () => {
    await control.listen(); // §2.6: listening before the plugin dials
    plugin = spawnPlugin(name, ['{"sendTimeout":1000}'], {
      SPECFN_UPPER_SYMBOL: UPPER,
      SPECFN_ADD_SYMBOL: ADD,
    });
  });

  afterAll(async () => {
    if (plugin && plugin.child.exitCode === null && plugin.child.signalCode === null) {
      plugin.child.kill("SIGKILL");
      await plugin.exited;
    }
    await Promise.all([control.close(), upper.close(), add.close()]);
  });

  it("dials the control channel and sends exactly `handshake` (§4.2.1, A.2)", async () => {
    const first = await control.first();
    expect(first).toEqual(HANDSHAKE_BYTES);
    expect(isHandshake(first)).toBe(true);
  });

  it("starts both functions: dials func_<symbol>.ipc, handshakes there, answers ok (§5.1, A.3-A.5)", async () => {
    for (const [ch, sym] of [
      [upper, UPPER],
      [add, ADD],
    ] as const) {
      await ch.listen(); // before the start command (§5.1 rule 1)
      const answer = await control.exchange(startCommand(funcControl(sym)));
      expect(answer.toString()).toBe("ok");
      expect(decodeAnswer(answer)).toEqual({ ok: true });
      expect(await ch.first()).toEqual(HANDSHAKE_BYTES); // first request: the handshake (A.4)
    }
  });

  it("answers a repeated function start with ok and opens no second connection (§4.3)", async () => {
    const answer = await control.exchange(startCommand(funcControl(UPPER)));
    expect(answer.toString()).toBe("ok");
    await sleep(200);
    expect(upper.rep.pipeCount).toBe(1);
  });

  it("upper: Validate, Exec, IsAggregate, byte for byte (§4.6.3)", async () => {
    expect((await upper.exchange(validate("a"))).toString()).toBe('{"state":true,"result":""}');
    const bad = await upper.exchange(validate("a", 1));
    expect(bad.toString()).toBe(
      `{"state":false,"result":"${UPPER} function only supports 1 parameter but got 2"}`,
    );
    // Same shape as Appendix A.7, `{"state":true,"result":"hello"}`.
    expect(await upper.exchange(exec("hello"))).toEqual(
      Buffer.from('{"state":true,"result":"HELLO"}'),
    );
    // §4.1 escapes in the reply: < > & as \u003c \u003e \u0026, non-ASCII raw.
    expect((await upper.exchange(exec("<a&b>é"))).toString()).toBe(
      '{"state":true,"result":"\\u003cA\\u0026B\\u003eÉ"}',
    );
    expect((await upper.exchange(IS_AGGREGATE)).toString()).toBe('{"state":true,"result":false}');
  });

  it("add: Validate, Exec, IsAggregate (§4.6.3)", async () => {
    expect(FuncReply.decode(await add.exchange(validate(1, 2)))).toEqual({
      state: true,
      result: "",
    });
    for (const args of [[], ["a", 1]] as (string | number)[][]) {
      const r = FuncReply.decode(await add.exchange(validate(...args)));
      expect(r.state).toBe(false);
      expect(typeof r.result).toBe("string");
    }
    expect((await add.exchange(exec(1, 2, 3.5))).toString()).toBe('{"state":true,"result":6.5}');
    expect((await add.exchange(exec(1, 2))).toString()).toBe('{"state":true,"result":3}');
    expect((await add.exchange(exec(1e21, 1))).toString()).toBe('{"state":true,"result":1e+21}');
    expect(FuncReply.decode(await add.exchange(exec("x"))).state).toBe(false);
    expect(FuncReply.decode(await add.exchange(IS_AGGREGATE))).toEqual({
      state: true,
      result: false,
    });
  });

  it("replies state false to bad calls and keeps the channel (§4.6.2, §4.6.3)", async () => {
    const noContext = Buffer.from('{"func":"Exec","arg":[1,2]}');
    const r1 = FuncReply.decode(await add.exchange(noContext));
    expect(r1).toMatchObject({ state: false });
    expect(String(r1.result)).toContain("arg[1]");
    // §4.6.2: absent context keys take empty values, and the call runs.
    const lacksOpId = Buffer.from('{"func":"Exec","arg":[1,"{\\"ruleId\\":\\"r\\"}"]}');
    expect(FuncReply.decode(await add.exchange(lacksOpId))).toEqual({ state: true, result: 1 });
    const notAnObject = Buffer.from('{"func":"Exec","arg":[1,"[1]"]}');
    expect(FuncReply.decode(await add.exchange(notAnObject)).state).toBe(false);
    expect((await add.exchange(Buffer.from('{"func":"Reset","arg":null}'))).toString()).toBe(
      '{"state":false,"result":"invalid func Reset"}',
    );
    expect(FuncReply.decode(await add.exchange(Buffer.from("not json"))).state).toBe(false);
    expect((await add.exchange(exec(2, 2))).toString()).toBe('{"state":true,"result":4}');
  });

  it("keeps both channels alive past one keepalive interval (§5.2, A.8-A.9)", async () => {
    const before = { ctl: control.keepalives, up: upper.keepalives, add: add.keepalives };
    await sleep(KEEPALIVE_MS + 1500);
    expect((await upper.exchange(exec("world"))).toString()).toBe(
      '{"state":true,"result":"WORLD"}',
    );
    expect((await add.exchange(exec(40, 2))).toString()).toBe('{"state":true,"result":42}');
    // The stale request was abandoned by the plugin; the fresh handshake was
    // taken by the first-byte rule and the call sent again.
    expect(upper.keepalives).toBeGreaterThan(before.up);
    expect(add.keepalives).toBeGreaterThan(before.add);
    const answer = await control.exchange(startCommand(funcControl(ADD)));
    expect(answer.toString()).toBe("ok");
    expect(control.keepalives).toBeGreaterThan(before.ctl);
  });

  it("refuses unknown symbols, sources and sinks with an error text never starting with h (§4.2.3, §4.3)", async () => {
    const refused: Control[] = [
      funcControl(`nosuch_${suffix}`),
      {
        symbolName: "random",
        meta: { ruleId: `r${suffix}`, opId: "op1", instanceId: 0 },
        pluginType: "source",
        dataSource: "demo",
        config: { interval: 1000 },
      },
      {
        symbolName: "file",
        meta: { ruleId: `r${suffix}`, opId: "op2", instanceId: 0 },
        pluginType: "sink",
        config: {},
      },
      { symbolName: UPPER, meta: { ruleId: "r", opId: "o", instanceId: 0 }, pluginType: "source" },
    ];
    for (const c of refused) {
      const answer = await control.exchange(startCommand(c));
      const text = answer.toString();
      expect(text).not.toBe("ok");
      expect(text.length).toBeGreaterThan(0);
      expect(answer[0]).not.toBe(0x68);
      expect(decodeAnswer(answer).ok).toBe(false);
    }
    // An undecodable command is answered too, never by closing the socket (§4.2.2).
    const bad = await control.exchange(Buffer.from('{"cmd":"start","arg":{"symbolName":1}}'));
    expect(bad[0]).not.toBe(0x68);
    expect(decodeAnswer(bad).ok).toBe(false);
  });

  it("answers stops with ok: a function keeps running, an unknown instance is idempotent (§4.3)", async () => {
    // A conforming host never stops a function (§5.3.3); the plugin must still answer ok.
    const stopFunc = Command.encode({ cmd: "stop", arg: funcControl(UPPER) });
    expect((await control.exchange(stopFunc)).toString()).toBe("ok");
    expect((await upper.exchange(exec("still"))).toString()).toBe(
      '{"state":true,"result":"STILL"}',
    );
    const stopSource = Command.encode({
      cmd: "stop",
      arg: {
        symbolName: "random",
        meta: { ruleId: `r${suffix}`, opId: "op1", instanceId: 0 },
        pluginType: "source",
      },
    });
    expect((await control.exchange(stopSource)).toString()).toBe("ok");
  });

  it("exits 0 within 3 s of SIGTERM and leaves no socket file (§3.4)", async () => {
    const p = plugin!;
    p.child.kill("SIGTERM");
    const { code, signal } = await within(p.exited, 3000, "exit after SIGTERM");
    expect({ code, signal }, p.output.join("")).toEqual({ code: 0, signal: null });
    await Promise.all([control.close(), upper.close(), add.close()]);
    for (const ch of [control, upper, add]) expect(existsSync(ipcPath(ch.url))).toBe(false);
    expect(socketFilesOfRun()).toEqual([]);
  });
});

suite("spec-only Python plugin: process edges (§3.1, §3.4)", () => {
  it("exits when the host goes away and does not come back within 10 s", async () => {
    const name = `specgone_${suffix}`;
    const control = new HostChannel(controlChannelUrl(name));
    await control.listen();
    const p = spawnPlugin(name, ['{"sendTimeout":1000}']);
    try {
      expect(await control.first()).toEqual(HANDSHAKE_BYTES);
      await control.close(); // the host goes: listener closed, file removed
      const { code } = await within(p.exited, 16_000, "exit after the host went away");
      expect(code, p.output.join("")).toBe(0);
      expect(socketFilesOfRun().filter((f) => f.includes(name))).toEqual([]);
    } finally {
      if (p.child.exitCode === null) p.child.kill("SIGKILL");
      await control.close();
    }
  });

  it("refuses a start argument that is not a JSON object with a non-zero exit (§3.1)", async () => {
    const p = spawnPlugin(`specbad_${suffix}`, ["[1,2]"]);
    const { code } = await within(p.exited, 10_000, "exit on a bad argument");
    expect(code).not.toBe(0);
    expect(p.output.join("")).toMatch(/PortableConfig/);
  });
});
