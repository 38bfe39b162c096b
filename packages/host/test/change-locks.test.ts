// Changes to one plugin never wait for another's: a stuck install.sh or a
// hanging download holds only its own plugin; install.sh is bounded (its
// process group killed) and ended when the registry closes; a change whose
// caller gave up before it started is cancelled.

import { stat, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { Registry } from "../src/install/registry.js";
import { createRestServer, type RestServer } from "../src/rest/server.js";
import { fakePlugin, running, tempDir, waitForFile, writeFolder } from "./helpers.js";

/**
 * install.sh that writes its pid to $1, starts `sleep` in the background
 * (pid in $1.child), and waits until file $2 exists.
 */
const WAITING_SCRIPT =
  'echo $$ > "$1"\nsleep 300 &\necho $! > "$1.child"\nwhile [ ! -f "$2" ]; do sleep 0.05; done\n';

/** Settles with "done" or "still waiting" after `ms`. */
function within<T>(p: Promise<T>, ms: number): Promise<T | "still waiting"> {
  return Promise.race([p, new Promise<"still waiting">((r) => setTimeout(r, ms, "still waiting"))]);
}

const plugin = (name: string, files: Record<string, string> = {}) =>
  fakePlugin({ name, sources: [`${name}_src`], sinks: [], functions: [], files });

const hanging: Server[] = [];
afterEach(async () => {
  for (const s of hanging.splice(0)) {
    s.closeAllConnections();
    await new Promise((done) => s.close(done));
  }
});

/** A URL that accepts the connection and never answers. */
async function hangingUrl(): Promise<string> {
  const server = createServer(() => {});
  hanging.push(server);
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/never.zip`;
}

describe("per-plugin locks", () => {
  it("a stuck install.sh of one plugin does not hold other plugins' install, update and uninstall", async () => {
    const root = await tempDir();
    const registry = new Registry({
      pluginsDir: join(root, "plugins"),
      installScriptTimeoutMs: 30_000,
    });
    await registry.install("other", await writeFolder(join(root, "other"), plugin("other")));
    const slowDir = await writeFolder(
      join(root, "slow"),
      plugin("slow", { "install.sh": WAITING_SCRIPT }),
    );
    const go = join(root, "go");
    const slow = registry.install("slow", slowDir, { shellParas: [join(root, "pid"), go] });
    await waitForFile(join(root, "pid"));
    const fast = await writeFolder(join(root, "fast"), plugin("fast"));
    expect(await within(registry.install("fast", fast), 5000)).toMatchObject({ name: "fast" });
    const v2 = await writeFolder(
      join(root, "other2"),
      fakePlugin({
        name: "other",
        sources: ["other_src"],
        sinks: [],
        functions: [],
        version: "v2",
      }),
    );
    expect(await within(registry.update("other", v2), 5000)).toMatchObject({ name: "other" });
    expect(await within(registry.uninstall("fast"), 5000)).toBeUndefined();
    await writeFile(go, "");
    expect((await slow).name).toBe("slow");
    expect(registry.list().map((p) => p.name)).toEqual(["other", "slow"]);
  });

  it("a hanging download holds neither other plugins nor an uninstall of its own plugin", async () => {
    const root = await tempDir();
    const registry = new Registry({ pluginsDir: join(root, "plugins"), downloadTimeoutMs: 30_000 });
    await registry.install("other", await writeFolder(join(root, "other"), plugin("other")));
    const url = await hangingUrl();
    const stuckInstall = registry.install("hung", url).catch((e: unknown) => e);
    const stuckUpdate = registry.update("other", url).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 200));
    const fast = await writeFolder(join(root, "fast"), plugin("fast"));
    expect(await within(registry.install("fast", fast), 5000)).toMatchObject({ name: "fast" });
    expect(await within(registry.uninstall("other"), 5000)).toBeUndefined();
    // The hanging downloads are stopped with the registry; nothing of them is left.
    registry.close();
    expect(HostError.is(await stuckInstall, "PORTABLE_E_CANCELLED")).toBe(true);
    expect(HostError.is(await stuckUpdate, "PORTABLE_E_CANCELLED")).toBe(true);
    expect(registry.list().map((p) => p.name)).toEqual(["fast"]);
  });
});

describe("loadAll runs alone", () => {
  it("waits for a change in progress instead of removing its staging folder as a leftover", async () => {
    const root = await tempDir();
    const registry = new Registry({
      pluginsDir: join(root, "plugins"),
      installScriptTimeoutMs: 30_000,
    });
    const dir = await writeFolder(join(root, "p"), plugin("p", { "install.sh": WAITING_SCRIPT }));
    const go = join(root, "go");
    const install = registry.install("p", dir, { shellParas: [join(root, "pid"), go] });
    await waitForFile(join(root, "pid"));
    const load = registry.loadAll();
    expect(await within(load, 300)).toBe("still waiting");
    await writeFile(go, "");
    expect((await install).name).toBe("p");
    expect(await load).toMatchObject({ loaded: [], failed: [] });
    expect(registry.list().map((p) => p.name)).toEqual(["p"]);
  });
});

describe("install.sh bounds", () => {
  it("a timeout kills the script's whole process group", async () => {
    const root = await tempDir();
    const registry = new Registry({
      pluginsDir: join(root, "plugins"),
      installScriptTimeoutMs: 500,
    });
    const dir = await writeFolder(join(root, "p"), plugin("p", { "install.sh": WAITING_SCRIPT }));
    const started = Date.now();
    const err = await registry
      .install("p", dir, { shellParas: [join(root, "pid"), join(root, "never")] })
      .catch((e: unknown) => e);
    expect(HostError.is(err, "PORTABLE_E_INSTALL_SCRIPT")).toBe(true);
    expect((err as Error).message).toMatch(
      /timed out after 500 ms \(its process group was killed\)/,
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(await running(Number(await waitForFile(join(root, "pid"))))).toBe(false);
    expect(await running(Number(await waitForFile(join(root, "pid.child"))))).toBe(false);
  });

  it("ends what a successful script left running in its process group", async () => {
    const root = await tempDir();
    const registry = new Registry({ pluginsDir: join(root, "plugins") });
    const script = 'sleep 300 >/dev/null 2>&1 &\necho $! > "$1"\n';
    const dir = await writeFolder(join(root, "p"), plugin("p", { "install.sh": script }));
    await registry.install("p", dir, { shellParas: [join(root, "bg")] });
    const pid = Number(await waitForFile(join(root, "bg")));
    try {
      expect(await running(pid)).toBe(false);
    } finally {
      if (await running(pid)) process.kill(pid, "SIGKILL");
    }
  });

  it("returns when the script exits, even if a daemon it left holds its output open", async () => {
    const root = await tempDir();
    const registry = new Registry({
      pluginsDir: join(root, "plugins"),
      installScriptTimeoutMs: 30_000,
    });
    // setsid puts the daemon in its own group; it keeps the script's stdout.
    const script = 'setsid sleep 300 &\necho $! > "$1"\necho installed\n';
    const dir = await writeFolder(join(root, "p"), plugin("p", { "install.sh": script }));
    try {
      const result = registry.install("p", dir, { shellParas: [join(root, "daemon")] });
      expect(await within(result, 5000)).toMatchObject({ name: "p" });
    } finally {
      const pid = Number(await waitForFile(join(root, "daemon")));
      process.kill(pid, "SIGKILL");
    }
  });

  it("closing the registry ends a running install.sh and cancels its install", async () => {
    const root = await tempDir();
    const registry = new Registry({
      pluginsDir: join(root, "plugins"),
      installScriptTimeoutMs: 30_000,
    });
    const dir = await writeFolder(join(root, "p"), plugin("p", { "install.sh": WAITING_SCRIPT }));
    const install = registry
      .install("p", dir, { shellParas: [join(root, "pid"), join(root, "never")] })
      .catch((e: unknown) => e);
    const script = Number(await waitForFile(join(root, "pid")));
    const child = Number(await waitForFile(join(root, "pid.child")));
    registry.close();
    const err = await within(install, 5000);
    expect(HostError.is(err, "PORTABLE_E_CANCELLED"), String(err)).toBe(true);
    expect(await running(script)).toBe(false);
    expect(await running(child)).toBe(false);
    expect(registry.list()).toEqual([]);
  });
});

describe("cancelled changes", () => {
  let server: RestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("a DELETE whose client gave up while it waited for the plugin's lock is never carried out", async () => {
    const root = await tempDir();
    const pluginsDir = join(root, "plugins");
    const registry = new Registry({ pluginsDir, installScriptTimeoutMs: 30_000 });
    await registry.install("mirror", await writeFolder(join(root, "v1"), plugin("mirror")));
    server = await createRestServer(registry, undefined, { port: 0 });
    const v2 = await writeFolder(
      join(root, "v2"),
      plugin("mirror", { "install.sh": WAITING_SCRIPT }),
    );
    const go = join(root, "go");
    const update = fetch(`${server.url}/plugins/portables/mirror`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ file: pathToFileURL(v2).href, shellParas: [join(root, "pid"), go] }),
    });
    await waitForFile(join(root, "pid"));
    const gaveUp = new AbortController();
    const del = fetch(`${server.url}/plugins/portables/mirror`, {
      method: "DELETE",
      signal: gaveUp.signal,
    }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    gaveUp.abort();
    await del;
    await new Promise((r) => setTimeout(r, 200));
    await writeFile(go, "");
    expect((await update).status).toBe(200);
    // Had the DELETE run after the update, the plugin would be gone by now.
    await new Promise((r) => setTimeout(r, 500));
    expect(registry.find("mirror")).toBeDefined();
    expect((await stat(join(pluginsDir, "mirror"))).isDirectory()).toBe(true);
  });

  it("a change whose signal fired while it waited rejects with PORTABLE_E_CANCELLED", async () => {
    const root = await tempDir();
    const registry = new Registry({
      pluginsDir: join(root, "plugins"),
      installScriptTimeoutMs: 30_000,
    });
    await registry.install("mirror", await writeFolder(join(root, "v1"), plugin("mirror")));
    const v2 = await writeFolder(
      join(root, "v2"),
      plugin("mirror", { "install.sh": WAITING_SCRIPT }),
    );
    const go = join(root, "go");
    const update = registry.update("mirror", v2, { shellParas: [join(root, "pid"), go] });
    await waitForFile(join(root, "pid"));
    const controller = new AbortController();
    const uninstall = registry
      .uninstall("mirror", { signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort(new Error("the caller gave up"));
    const err = await within(uninstall, 2000);
    expect(HostError.is(err, "PORTABLE_E_CANCELLED"), String(err)).toBe(true);
    expect((err as Error).message).toBe("uninstall of plugin mirror cancelled: the caller gave up");
    await writeFile(go, "");
    await update;
    expect(registry.find("mirror")?.manifest.version).toBe("v1.0.0");
  });
});
