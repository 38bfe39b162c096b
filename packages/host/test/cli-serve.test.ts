// `portable serve` as an operator meets it: a token from a file (never on the
// command line), a busy port, a second host on one data folder (and a stale
// lock left by a killed one), SIGTERM during an install.sh, and the
// install.sh time limit.

import { chmod, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { portable, portableWith, serveArgs, startServer, stop } from "./cli-helpers.js";
import { fakePlugin, running, tempDir, waitForFile, writeFolder } from "./helpers.js";

const servers: { child: import("node:child_process").ChildProcess }[] = [];
const listeners: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await stop(s.child);
  for (const l of listeners.splice(0)) await new Promise((done) => l.close(done));
});

async function serveOn(dataDir: string, ...extra: string[]) {
  const s = await startServer(dataDir, ...extra);
  servers.push(s);
  return s;
}

describe("portable serve: token file", () => {
  it("takes the token from --token-file or PORTABLE_TOKEN_FILE, never showing it in ps", async () => {
    const root = await tempDir();
    const file = join(root, "token");
    await writeFile(file, "s3cret-from-file\n", { mode: 0o600 });
    const server = await serveOn(join(root, "data"), "--token-file", file);
    const cmdline = await readFile(`/proc/${server.child.pid}/cmdline`, "utf8");
    expect(cmdline).not.toContain("s3cret-from-file");
    const denied = await portable("--server", server.url, "list");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/\[PORTABLE_E_UNAUTHORIZED\]/);
    expect((await portable("--server", server.url, "--token-file", file, "list")).code).toBe(0);
    expect(
      (await portableWith({ PORTABLE_TOKEN_FILE: file }, "--server", server.url, "list")).code,
    ).toBe(0);
    const both = await portable(
      "--server",
      server.url,
      "--token",
      "x",
      "--token-file",
      file,
      "list",
    );
    expect(both).toMatchObject({ code: 2, stderr: expect.stringMatching(/not both/) });
    const missing = await portable(
      "--server",
      server.url,
      "--token-file",
      join(root, "nope"),
      "list",
    );
    expect(missing).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/cannot read token file/),
    });
  });

  it("--help says the environment variable or the file is the safe way", async () => {
    const help = await portable("--help");
    expect(help.stdout).toMatch(/--token-file <file>/);
    expect(help.stdout).toMatch(/visible to every user in `ps`/);
    expect(help.stdout).toMatch(/PORTABLE_TOKEN_FILE/);
  });
});

describe("portable serve: start-up failures start nothing", () => {
  it("on a busy port exits 1 at once with one line, no plugin started, no socket, no lock", async () => {
    const root = await tempDir();
    const busy = createServer();
    listeners.push(busy);
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
    const port = (busy.address() as import("node:net").AddressInfo).port;
    const dataDir = join(root, "data");
    const pluginDir = join(dataDir, "plugins", "portable", "mirror");
    // The plugin's program would leave a mark if it were ever started.
    await writeFolder(
      pluginDir,
      fakePlugin({ files: { "bin/mirror": '#!/bin/sh\ntouch "$0.ran"\n' } }),
    );
    await chmod(join(pluginDir, "bin", "mirror"), 0o755);
    const sockets = join(root, "sockets");
    const started = Date.now();
    const r = await portable(...serveArgs(String(port), dataDir, sockets));
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `portable: cannot listen on 127.0.0.1:${port}: the address is already in use (another server on this port?) [PORTABLE_E_SERVER]\n`,
    );
    expect(await readdir(pluginDir, { recursive: true })).not.toContain("bin/mirror.ran");
    expect(await readdir(sockets).catch(() => [])).toEqual([]);
    expect(await readdir(join(dataDir, "plugins", "portable"))).toEqual(["mirror"]);
  });

  it("refuses a second host on the same data folder; a lock left by a killed host is taken over", async () => {
    const root = await tempDir();
    const dataDir = join(root, "data");
    const first = await serveOn(dataDir);
    const second = await portable(...serveArgs("0", dataDir, join(root, "s2")));
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(
      new RegExp(
        `^portable: the plugins folder .* is in use by another host \\(pid ${first.child.pid}, since .*\\) \\[PORTABLE_E_LOCKED\\]\\n$`,
      ),
    );
    expect((await fetch(`${first.url}/ping`)).status).toBe(200);
    // kill -9: the lock file stays, naming a dead pid.
    await new Promise((done) => {
      first.child.once("exit", done);
      first.child.kill("SIGKILL");
    });
    const lock = JSON.parse(
      await readFile(join(dataDir, "plugins", "portable", ".host.lock"), "utf8"),
    );
    expect(lock.pid).toBe(first.child.pid);
    const third = await serveOn(dataDir);
    expect((await fetch(`${third.url}/ping`)).status).toBe(200);
    const now = JSON.parse(
      await readFile(join(dataDir, "plugins", "portable", ".host.lock"), "utf8"),
    );
    expect(now.pid).toBe(third.child.pid);
    await stop(third.child);
    expect(await readdir(join(dataDir, "plugins", "portable"))).toEqual([]);
  });
});

describe("portable serve: install.sh", () => {
  const WAITING_SCRIPT =
    'echo $$ > "$1"\nsleep 300 &\necho $! > "$1.child"\nwhile [ ! -f "$2" ]; do sleep 0.05; done\n';

  it("SIGTERM ends running install scripts and serve exits, leaving nothing behind", async () => {
    const root = await tempDir();
    const dataDir = join(root, "data");
    const server = await serveOn(dataDir);
    const dir = await writeFolder(
      join(root, "slow"),
      fakePlugin({ files: { "install.sh": WAITING_SCRIPT } }),
    );
    const install = fetch(`${server.url}/plugins/portables`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "mirror",
        file: `file://${dir}`,
        shellParas: [join(root, "pid"), join(root, "never")],
      }),
    }).catch((e: unknown) => e);
    const script = Number(await waitForFile(join(root, "pid")));
    const child = Number(await waitForFile(join(root, "pid.child")));
    const started = Date.now();
    await stop(server.child);
    expect(Date.now() - started).toBeLessThan(10_000);
    await install;
    expect(await running(script)).toBe(false);
    expect(await running(child)).toBe(false);
    expect(await readdir(join(dataDir, "plugins", "portable"))).toEqual([]);
  });

  it("--install-timeout bounds install.sh", async () => {
    const root = await tempDir();
    const server = await serveOn(join(root, "data"), "--install-timeout", "500");
    const dir = await writeFolder(
      join(root, "slow"),
      fakePlugin({ files: { "install.sh": "sleep 60\n" } }),
    );
    const started = Date.now();
    const r = await portable("--server", server.url, "install", dir, "--name", "mirror");
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/install.sh timed out after 500 ms .*\[PORTABLE_E_INSTALL_SCRIPT\]/s);
  });
});
