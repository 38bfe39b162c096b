// `portable debug` as a user runs it, with eKuiper's real Python SDK
// (examples/python-mirror under .venv's python) started by hand: the CLI
// waits, the plugin dials it, the symbols are driven over HTTP and their
// output shows on the CLI's stdout. The Python SDK only knows /tmp, so the
// plugin gets a unique name (PORTABLE_PLUGIN_NAME) and every rule id a
// prefix of this process; `echo` waits for its turn at /tmp/func_echo.ipc
// (claimSocketPath).

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { socketIsLive } from "../src/run/socket-files.js";
import { tempDir } from "./helpers.js";
import {
  claimSocketPath,
  filesMatching,
  pidAlive,
  uniqueName,
  waitFor,
} from "./runtime-helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PYTHON = join(ROOT, ".venv", "bin", "python");
const EXAMPLE = join(ROOT, "examples", "python-mirror");
const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
const NODE_ARGS = ["--import", "tsx", MAIN];
const RULE = `r${process.pid}dbg`;
const run = promisify(execFile);

interface Proc {
  readonly child: ChildProcess;
  readonly stdout: string[];
  readonly stderr: string[];
}

const started: Proc[] = [];
/** Ends our turns at shared socket paths (claimSocketPath). */
const releases: Array<() => Promise<void>> = [];

function launch(file: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  const child = spawn(file, args, {
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const p: Proc = { child, stdout: [], stderr: [] };
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on("line", (l) =>
    p.stdout.push(l),
  );
  createInterface({ input: child.stderr as NodeJS.ReadableStream }).on("line", (l) =>
    p.stderr.push(l),
  );
  started.push(p);
  return p;
}

const exited = (p: Proc) => p.child.exitCode !== null || p.child.signalCode !== null;

async function stop(p: Proc): Promise<void> {
  if (!exited(p)) p.child.kill("SIGTERM");
  await waitFor("a process to exit", () => exited(p), 20_000);
}

afterEach(async () => {
  try {
    for (const p of started.splice(0)) {
      await stop(p);
      expect(pidAlive(p.child.pid)).toBe(false);
    }
    expect(await filesMatching("/tmp", [RULE])).toEqual([]);
  } finally {
    for (const release of releases.splice(0)) await release();
  }
});

async function post(base: string, path: string, body: unknown) {
  const res = await fetch(`${base}${path}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

describe("portable debug (CLI) with the real Python SDK started by hand", () => {
  it("drives source random, sink file and function echo, printing what they do", async () => {
    if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: run npm run setup`);
    const name = uniqueName("pydbg");
    const cli = launch(
      process.execPath,
      [...NODE_ARGS, "debug", name, "--port", "0", "--socket-dir", "/tmp"],
      {},
    );
    const url = await waitFor(
      "the debug API address",
      () => cli.stderr.join("\n").match(/on (http:\/\/127\.0\.0\.1:\d+)/)?.[1],
      20_000,
    );
    expect(cli.stderr.join("\n")).toContain(`ipc:///tmp/plugin_${name}.ipc`);
    // The developer starts the plugin by hand.
    const py = launch(PYTHON, ["-u", "mirror.py", '{"sendTimeout":1000}'], {
      cwd: EXAMPLE,
      env: { PORTABLE_PLUGIN_NAME: name },
    });
    await waitFor(
      "the plugin to connect",
      () => cli.stderr.some((l) => l.includes(`plugin ${name} connected`)),
      30_000,
    );

    const source = {
      symbolName: "random",
      pluginType: "source",
      meta: { ruleId: RULE, opId: "src", instanceId: 0 },
      config: { interval: 100, seed: 1, deduplicate: 0, pattern: { count: 50 } },
    };
    expect(await post(url, "/symbol/start", source)).toEqual({ status: 200, text: "ok" });
    await waitFor("three tuples", () => cli.stdout.filter((l) => l === '{"count":50}').length >= 3);
    expect(await post(url, "/symbol/stop", source)).toEqual({ status: 200, text: "ok" });

    const path = join(await tempDir("pp-dbg-py-"), "out.jsonl");
    const sink = {
      symbolName: "file",
      pluginType: "sink",
      meta: { ruleId: RULE, opId: "sink", instanceId: 0 },
      config: { path, interval: 100, requireAck: true },
    };
    expect(await post(url, "/symbol/start", sink)).toEqual({ status: 200, text: "ok" });
    await waitFor(
      "two acked rows",
      () => cli.stdout.filter((l) => l.startsWith("sent ")).length >= 2,
    );
    expect(cli.stdout.filter((l) => l.startsWith("sent ")).slice(0, 2)).toEqual([
      'sent {"count":5,"name":"hello"}',
      'sent {"count":10,"name":"world"}',
    ]);
    expect(await post(url, "/symbol/stop", sink)).toEqual({ status: 200, text: "ok" });
    const lines = (await readFile(path, "utf8")).split("\n").filter(Boolean);
    expect(lines.slice(0, 2)).toEqual([
      '{"count":5,"name":"hello"}',
      '{"count":10,"name":"world"}',
    ]);

    releases.push(await claimSocketPath("/tmp/func_echo.ipc"));
    const echo = { symbolName: "echo", pluginType: "func" };
    expect(await post(url, "/symbol/start", echo)).toEqual({ status: 200, text: "ok" });
    await waitFor("two replies", () => cli.stdout.includes('"eleven"'), 20_000);
    expect(cli.stdout).toContain('"twelve"');
    expect(await post(url, "/symbol/stop", echo)).toEqual({ status: 200, text: "ok" });

    // Ctrl-C: the CLI closes its channels and exits 0; the plugin is the developer's to stop.
    cli.child.kill("SIGINT");
    await waitFor("the CLI to exit", () => exited(cli), 20_000);
    expect(cli.child.exitCode).toBe(0);
    expect(existsSync(`/tmp/plugin_${name}.ipc`)).toBe(false);
    // Removed, unless another host on the machine serves it by now.
    if (existsSync("/tmp/func_echo.ipc"))
      expect(await socketIsLive("/tmp/func_echo.ipc")).toBe(true);
    await stop(py);
  }, 240_000);

  it("exits 1 when no plugin handshakes in time, 2 on bad options", async () => {
    const name = uniqueName("pydbg");
    const timedOut = await run(process.execPath, [
      ...NODE_ARGS,
      "debug",
      name,
      "--port",
      "0",
      "--handshake-timeout",
      "300",
    ]).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(timedOut.code).toBe(1);
    expect(timedOut.stderr).toContain("no handshake within 300 ms");
    expect(existsSync(`/tmp/plugin_${name}.ipc`)).toBe(false);
    // Ctrl-C while waiting for the plugin: a prompt, clean exit 0.
    const waiting = launch(process.execPath, [...NODE_ARGS, "debug", name, "--port", "0"], {});
    await waitFor(
      "the debug API",
      () => waiting.stderr.some((l) => l.includes("serving POST")),
      20_000,
    );
    waiting.child.kill("SIGINT");
    await waitFor("the CLI to exit", () => exited(waiting), 10_000);
    expect(waiting.child.exitCode).toBe(0);
    expect(existsSync(`/tmp/plugin_${name}.ipc`)).toBe(false);
    for (const bad of [
      ["--port", "x"],
      ["--host", "0.0.0.0"],
      ["--handshake-timeout", "0"],
    ]) {
      const r = await run(process.execPath, [...NODE_ARGS, "debug", name, ...bad]).then(
        () => ({ code: 0, stderr: "" }),
        (e: { code: number; stderr: string }) => e,
      );
      expect(r.code, bad.join(" ")).toBe(2);
    }
  }, 60_000);
});
