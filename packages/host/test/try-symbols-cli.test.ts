// The author's commands as a user types them: `portable exec` and `portable
// tail` against `portable serve` running the TypeScript mirror (packed as a
// user does), with bad input; and the errors that name their fix (`install`
// of upper-1.0.zip says --name, an unreachable server says to start one).

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packPlugin } from "@portable-plugins/sdk/pack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, NODE_ARGS, portable, startServer, stop } from "./cli-helpers.js";
import { fakePlugin, writeZip } from "./helpers.js";
import { waitFor } from "./runtime-helpers.js";

const MIRROR = fileURLToPath(new URL("../../../examples/mirror", import.meta.url));

let root: string;
let server: { url: string; child: ChildProcess };
const cli = (...args: string[]) => portable("--server", server.url, ...args);

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "host-try-cli-"));
  const { zip } = await packPlugin({
    dir: MIRROR,
    entry: "src/main.ts",
    out: join(root, "mirror.zip"),
    language: "nodejs",
  });
  server = await startServer(join(root, "data"));
  expect((await cli("install", zip)).stdout).toBe("portable plugin mirror is created\n");
}, 120_000);

afterAll(async () => {
  if (server) await stop(server.child);
  await rm(root, { recursive: true, force: true });
}, 60_000);

const refCount = async () =>
  (JSON.parse((await cli("status", "mirror")).stdout) as { refCount: Record<string, number> })
    .refCount;

describe("portable exec", () => {
  it("prints the function's value as JSON", async () => {
    expect(await cli("exec", "echo", '["hello"]')).toEqual({
      code: 0,
      stdout: '"hello"\n',
      stderr: "",
    });
    expect((await cli("exec", "echo", '[{"a":[1,2]}]')).stdout).toBe('{"a":[1,2]}\n');
  });

  it("says the arguments must be a JSON array, with an example (usage error, exit 2)", async () => {
    const malformed = await cli("exec", "echo", '["hello"');
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(
      /^portable: arguments \["hello" are not JSON \(.*\): give a JSON array, e\.g\. '\["hello", 2\]' \(quote it for the shell\) \[PORTABLE_E_BAD_REQUEST\]\n$/,
    );
    const scalar = await cli("exec", "echo", '"hello"');
    expect(scalar.code).toBe(2);
    expect(scalar.stderr).toBe(
      `portable: arguments must be a JSON array, e.g. '["hello"]', got "hello" [PORTABLE_E_BAD_REQUEST]\n`,
    );
  });

  it("reports an unknown function and arguments that do not fit with the server's message (exit 1)", async () => {
    const unknown = await cli("exec", "nope", "[1]");
    expect(unknown).toMatchObject({
      code: 1,
      stderr:
        "portable: exec function nope error: function nope is not provided by any portable plugin [PORTABLE_E_NOT_FOUND]\n",
    });
    // functions/echo.json declares one argument: the host refuses [] with the REST answer's text.
    const refused = await cli("exec", "echo", "[]");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "portable: exec function echo error: plugin mirror: function echo: arguments: expected 1 argument, got 0 [PORTABLE_E_TYPE]\n",
    );
  });
});

describe("portable tail", () => {
  it("prints --count rows of the source, one JSON a line, and the source stops", async () => {
    const r = await cli(
      "tail",
      "random",
      "--props",
      '{"interval":5,"pattern":{"n":3}}',
      "--count",
      "2",
    );
    expect(r).toEqual({ code: 0, stdout: '{"n":3}\n{"n":3}\n', stderr: "" });
    const meta = await cli("tail", "random", "--props", '{"interval":5}', "--count", "1", "--meta");
    expect(meta.stdout).toBe('{"message":{"count":50},"meta":null}\n');
    await waitFor("no tail instance", async () => !("portable-try" in (await refCount())));
  });

  it("runs until Ctrl-C, then the server stops the source", async () => {
    const child = spawn(
      process.execPath,
      [...NODE_ARGS, "--server", server.url, "tail", "random", "--props", '{"interval":20}'],
      { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    await waitFor("two rows", () => out.split("\n").length > 2);
    expect(await refCount()).toMatchObject({ "portable-try": 1 });
    child.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(out).toMatch(/^(\{"count":50\}\n)+/);
    await waitFor("no tail instance", async () => !("portable-try" in (await refCount())));
  });

  it("ends quietly when its reader goes away (| head), and the server stops the source", async () => {
    const child = spawn(
      process.execPath,
      [...NODE_ARGS, "--server", server.url, "tail", "random", "--props", '{"interval":20}'],
      { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] },
    );
    let err = "";
    child.stderr.on("data", (c: Buffer) => {
      err += c.toString();
    });
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    await new Promise<void>((done) => child.stdout.once("data", () => done()));
    child.stdout.destroy();
    expect(await exited).toBe(0);
    expect(err).toBe("");
    await waitFor("no tail instance", async () => !("portable-try" in (await refCount())));
  });

  it("refuses bad options before asking the server, and reports the host's refusal of a misfit", async () => {
    const props = await cli("tail", "random", "--props", "{interval");
    expect(props.code).toBe(2);
    expect(props.stderr).toMatch(/^portable: --props \{interval is not JSON: /);
    const count = await cli("tail", "random", "--count", "0");
    expect(count.code).toBe(2);
    expect(count.stderr).toBe(
      "portable: invalid count 0: an integer >= 1 [PORTABLE_E_BAD_REQUEST]\n",
    );
    const refused = await cli("tail", "random", "--props", '{"interval":-1}');
    expect(refused.code).toBe(1);
    // sources/random.json declares interval >= 1: the host refuses it, with the REST answer's text.
    expect(refused.stderr).toBe(
      "portable: tail source random error: plugin mirror: source random: configuration at /interval: expected >= 1, got number -1 [PORTABLE_E_TYPE]\n",
    );
    const unknown = await cli("tail", "nope");
    expect(unknown.stderr).toBe(
      "portable: tail source nope error: source nope is not provided by any portable plugin [PORTABLE_E_NOT_FOUND]\n",
    );
  });
});

describe("errors that name their fix", () => {
  it("install of upper-1.0.zip says to give --name", async () => {
    const zip = await writeZip(
      root,
      "upper-1.0.zip",
      fakePlugin({ name: "upper", sources: [], sinks: [], functions: ["upper"] }),
    );
    const r = await cli("install", zip);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `portable: portable plugin create command error: invalid plugin name "upper-1.0": use letters, digits, '_' and '-' (not first) [PORTABLE_E_NAME]\n` +
        `  fix: the name "upper-1.0" comes from upper-1.0.zip; give the plugin's name with --name, e.g. portable install ${zip} --name upper\n`,
    );
    const named = await cli("install", zip, "--name", "upper");
    expect(named.stdout).toBe("portable plugin upper is created\n");
  });

  it("an unreachable server says to start `portable serve` on its port", async () => {
    const r = await portable("--server", "http://127.0.0.1:9", "exec", "echo", "[1]");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^portable: cannot reach http:\/\/127\.0\.0\.1:9: .*\n/);
    expect(r.stderr).toContain(
      "  fix: is `portable serve` running? Start it in another terminal: portable serve --data-dir data --port 9",
    );
  });
});
