// The `portable` command as a user runs it: `serve` on a temporary data
// folder, and every other command as a separate process talking to it.

import type { ChildProcess } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portable, startServer, stop } from "./cli-helpers.js";
import { fakePlugin, writeFolder, writeZip } from "./helpers.js";

describe("portable CLI", () => {
  let root: string;
  let dataDir: string;
  let server: { url: string; child: ChildProcess };
  const cli = (...args: string[]) => portable("--server", server.url, ...args);

  beforeAll(async () => {
    // One folder for the whole suite: the server keeps using it between tests.
    root = await mkdtemp(join(tmpdir(), "host-cli-"));
    dataDir = join(root, "data");
    // A plugin placed by hand before start is auto-loaded by `serve`.
    await writeFolder(
      join(dataDir, "plugins", "portable", "preloaded"),
      fakePlugin({ name: "preloaded", sources: ["pre"], sinks: [], functions: [] }),
    );
    server = await startServer(dataDir);
  });

  afterAll(async () => {
    if (server) await stop(server.child);
    await rm(root, { recursive: true, force: true });
  });

  it("install <zip> names the plugin after the file and prints the server's answer", async () => {
    const zip = await writeZip(root, "mirror.zip", fakePlugin());
    const r = await cli("install", zip);
    expect(r).toMatchObject({ code: 0, stdout: "portable plugin mirror is created\n" });
    // .host.lock: serve holds the folder (one host per data folder).
    expect(await readdir(join(dataDir, "plugins", "portable"))).toEqual([
      ".host.lock",
      "mirror",
      "preloaded",
    ]);
  });

  it("install <dir> --name installs a folder", async () => {
    const dir = await writeFolder(
      join(root, "some-folder"),
      fakePlugin({ name: "folded", sources: [], sinks: ["fs"], functions: [] }),
    );
    expect((await cli("install", dir, "--name", "folded")).stdout).toBe(
      "portable plugin folded is created\n",
    );
  });

  it("list shows every plugin, the preloaded one included", async () => {
    const r = await cli("list");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("folded\tv1.0.0\tgo\nmirror\tv1.0.0\tgo\npreloaded\tv1.0.0\tgo\n");
  });

  it("describe prints the plugin info", async () => {
    const r = await cli("describe", "mirror");
    expect(JSON.parse(r.stdout)).toMatchObject({
      name: "mirror",
      sources: ["random"],
      functions: ["echo"],
    });
  });

  it("status prints the status document of the process serve started", async () => {
    // serve starts plugins eagerly; this fake plugin's program exits at once
    // without a handshake, which the status reports as an error.
    let status: unknown;
    for (let i = 0; i < 100; i++) {
      status = JSON.parse((await cli("status", "mirror")).stdout);
      if ((status as { status: string }).status === "error") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toEqual({ refCount: {}, status: "error", errMsg: "exit status 0" });
  });

  it("reports a refused request with the server's message and code, exit 1", async () => {
    const r = await cli("install", join(root, "mirror.zip"));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "portable: portable plugin create command error: portable plugin mirror already exists [PORTABLE_E_CONFLICT]\n",
    );
  });

  it("remove uninstalls", async () => {
    expect((await cli("remove", "mirror")).stdout).toBe("portable plugin mirror is deleted\n");
    expect((await cli("describe", "mirror")).code).toBe(1);
  });

  it("debug needs a plugin name (usage error otherwise); see debug-cli.test.ts", async () => {
    const r = await cli("debug");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("missing required argument 'plugin'");
  });

  it("exits 3 when the server cannot be reached", async () => {
    const r = await portable("--server", "http://127.0.0.1:9", "list");
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^portable: cannot reach http:\/\/127.0.0.1:9/);
  });

  it("serve --token makes every command need the same token", async () => {
    const guarded = await startServer(join(root, "guarded"), "--token", "t0k");
    try {
      const denied = await portable("--server", guarded.url, "list");
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/missing or invalid bearer token \[PORTABLE_E_UNAUTHORIZED\]/);
      expect((await portable("--server", guarded.url, "--token", "t0k", "list")).code).toBe(0);
    } finally {
      await stop(guarded.child);
    }
  });
});
