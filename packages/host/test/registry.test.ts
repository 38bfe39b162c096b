// The registry's life cycle: install from every kind of source, update with
// an atomic swap, uninstall after the runtime stopped the process, and load
// everything again after a restart.

import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeEach, describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import type { InstalledPlugin } from "../src/install/plugin.js";
import { Registry } from "../src/install/registry.js";
import type { PluginRuntime } from "../src/runtime.js";
import {
  buildZip,
  fakePlugin,
  serveFiles,
  snapshot,
  tempDir,
  writeFolder,
  writeZip,
} from "./helpers.js";

/** A runtime that records what the registry told it, optionally failing. */
function recorder(fail: Partial<Record<keyof PluginRuntime, boolean>> = {}) {
  const calls: string[] = [];
  const runtime: PluginRuntime = {
    pluginAdded(p, reason) {
      calls.push(`added ${p.name} ${reason}`);
      if (fail.pluginAdded) throw new Error("spawn failed");
    },
    async pluginUpdated(p, prev) {
      const exe = await readFile(p.executablePath, "utf8");
      calls.push(
        `updated ${p.name} ${prev.manifest.version}->${p.manifest.version} exe:${exe.trim()}`,
      );
      if (fail.pluginUpdated && p.manifest.version === "v2") throw new Error("handshake timeout");
    },
    pluginRemoving(p) {
      calls.push(`removing ${p.name}`);
      if (fail.pluginRemoving) throw new Error("kill failed");
    },
  };
  return { calls, runtime };
}

describe("registry", () => {
  let root: string;
  let pluginsDir: string;

  beforeEach(async () => {
    root = await tempDir();
    pluginsDir = join(root, "plugins");
  });

  describe("install", () => {
    it("installs from a zip path, restoring the executable bit a zip lost", async () => {
      const zip = await writeZip(root, "mirror.zip", fakePlugin());
      const registry = new Registry({ pluginsDir });
      const plugin = await registry.install("mirror", zip);
      expect(plugin.dir).toBe(join(pluginsDir, "mirror"));
      expect(plugin.executablePath).toBe(join(pluginsDir, "mirror", "bin", "mirror"));
      expect((await stat(plugin.executablePath)).mode & 0o111).toBe(0o111);
      expect(registry.list().map((p) => p.name)).toEqual(["mirror"]);
      expect(registry.findBySymbol("function", "echo")?.name).toBe("mirror");
      // Nothing of the registry's own is left beside the plugin.
      expect(await readdir(pluginsDir)).toEqual(["mirror"]);
    });

    it("keeps Unix modes stored in the zip", async () => {
      const files = fakePlugin({ files: { "lib/tool": "#!/bin/sh\n", "lib/data": "x" } });
      const zip = await writeZip(root, "m.zip", files, {
        modes: { "lib/tool": 0o100750, "lib/data": 0o100640 },
      });
      const plugin = await new Registry({ pluginsDir }).install("mirror", zip);
      expect((await stat(join(plugin.dir, "lib/tool"))).mode & 0o777).toBe(0o750);
      expect((await stat(join(plugin.dir, "lib/data"))).mode & 0o777).toBe(0o640);
    });

    it("keeps symlinks that stay inside the package", async () => {
      const zip = await writeZip(root, "m.zip", fakePlugin(), {
        symlinks: { "bin/current": "mirror" },
      });
      const plugin = await new Registry({ pluginsDir }).install("mirror", zip);
      expect(await readFile(join(plugin.dir, "bin/current"), "utf8")).toContain("fake plugin");
    });

    it("installs from a file:// URL", async () => {
      const zip = await writeZip(root, "mirror.zip", fakePlugin());
      const registry = new Registry({ pluginsDir });
      await registry.install("mirror", pathToFileURL(zip).href);
      expect(registry.find("mirror")?.manifest.version).toBe("v1.0.0");
    });

    it("installs from an http:// URL, removing the download afterwards", async () => {
      const http = await serveFiles({ "/mirror.zip": await buildZip(fakePlugin()) });
      try {
        const registry = new Registry({ pluginsDir });
        await registry.install("mirror", `${http.url}/mirror.zip`);
        expect(registry.find("mirror")?.language).toBe("go");
        expect(await readdir(pluginsDir)).toEqual(["mirror"]);
      } finally {
        await http.close();
      }
    });

    it("refuses a download larger than the limit", async () => {
      const http = await serveFiles({ "/big.zip": Buffer.alloc(4096) });
      try {
        const registry = new Registry({ pluginsDir, maxDownloadBytes: 1000 });
        const err = await registry
          .install("mirror", `${http.url}/big.zip`)
          .catch((e: unknown) => e);
        expect(HostError.is(err, "PORTABLE_E_DOWNLOAD")).toBe(true);
        expect(await readdir(pluginsDir)).toEqual([]);
      } finally {
        await http.close();
      }
    });

    it("gives up a download that does not finish in time", async () => {
      const hanging = createServer(() => {
        // Never answers.
      });
      await new Promise<void>((done) => hanging.listen(0, "127.0.0.1", done));
      const { port } = hanging.address() as AddressInfo;
      try {
        const registry = new Registry({ pluginsDir, downloadTimeoutMs: 200 });
        const err = await registry
          .install("mirror", `http://127.0.0.1:${port}/m.zip`)
          .catch((e: unknown) => e);
        expect(HostError.is(err, "PORTABLE_E_DOWNLOAD")).toBe(true);
        expect((err as Error).message).toMatch(/timed out after 200 ms/);
        expect(await readdir(pluginsDir)).toEqual([]);
      } finally {
        hanging.closeAllConnections();
        await new Promise((done) => hanging.close(done));
      }
    });

    it("installs from a folder, which is copied (the source stays as it is)", async () => {
      const src = await writeFolder(join(root, "src"), fakePlugin());
      const before = await snapshot(src);
      const plugin = await new Registry({ pluginsDir }).install("mirror", src);
      expect(await readFile(join(plugin.dir, "mirror.json"), "utf8")).toContain("bin/mirror");
      expect(await snapshot(src)).toEqual(before);
    });

    it("runs install.sh in the plugin folder and keeps its output in a log file", async () => {
      const zip = await writeZip(
        root,
        "m.zip",
        fakePlugin({
          files: {
            "install.sh": 'echo "deps for $PORTABLE_PLUGIN_NAME"\ntouch installed.marker\n',
          },
        }),
      );
      const logDir = join(root, "logs");
      const plugin = await new Registry({ pluginsDir, logDir }).install("mirror", zip);
      await stat(join(plugin.dir, "installed.marker"));
      expect(await readFile(join(logDir, "mirror.install.log"), "utf8")).toBe("deps for mirror\n");
    });

    it("accepts the same source name in a sink of another plugin (names are unique per kind)", async () => {
      const registry = new Registry({ pluginsDir });
      await registry.install(
        "a",
        await writeZip(
          root,
          "a.zip",
          fakePlugin({ name: "a", sources: ["x"], sinks: [], functions: [] }),
        ),
      );
      await registry.install(
        "b",
        await writeZip(
          root,
          "b.zip",
          fakePlugin({ name: "b", sources: [], sinks: ["x"], functions: [] }),
        ),
      );
      expect(registry.findBySymbol("source", "x")?.name).toBe("a");
      expect(registry.findBySymbol("sink", "x")?.name).toBe("b");
    });

    it("tells the runtime, and rolls back when the runtime cannot start the plugin", async () => {
      const ok = recorder();
      const registry = new Registry({ pluginsDir, runtime: ok.runtime });
      await registry.install("mirror", await writeZip(root, "m.zip", fakePlugin()));
      expect(ok.calls).toEqual(["added mirror install"]);

      const bad = recorder({ pluginAdded: true });
      const other = new Registry({ pluginsDir: join(root, "other"), runtime: bad.runtime });
      const err = await other.install("mirror", join(root, "m.zip")).catch((e: unknown) => e);
      expect(HostError.is(err, "PORTABLE_E_RUNTIME")).toBe(true);
      expect((err as Error).message).toBe("plugin mirror: runtime could not start: spawn failed");
      expect(other.list()).toEqual([]);
      expect(await readdir(join(root, "other"))).toEqual([]);
    });

    it("serializes concurrent installs: two plugins defining one function cannot both get in", async () => {
      const registry = new Registry({ pluginsDir });
      const a = await writeZip(
        root,
        "a.zip",
        fakePlugin({ name: "a", sources: [], sinks: [], functions: ["f"] }),
      );
      const b = await writeZip(
        root,
        "b.zip",
        fakePlugin({ name: "b", sources: [], sinks: [], functions: ["f"] }),
      );
      const results = await Promise.allSettled([
        registry.install("a", a),
        registry.install("b", b),
      ]);
      // The packages are read outside any lock, so either may reach the lock first:
      // exactly one gets in, the other is refused for the shared function name.
      expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
      const winner = results[0]?.status === "fulfilled" ? "a" : "b";
      expect(registry.list().map((p) => p.name)).toEqual([winner]);
      const refused = results.find((r) => r.status === "rejected");
      expect(refused?.status === "rejected" && String(refused.reason)).toMatch(/\bf\b/);
    });
  });

  describe("update", () => {
    it("swaps in the new files and has the runtime restart the process from them", async () => {
      const rec = recorder();
      const registry = new Registry({ pluginsDir, runtime: rec.runtime });
      await registry.install("mirror", await writeZip(root, "v1.zip", fakePlugin()));
      const v2 = fakePlugin({
        version: "v2",
        functions: ["echo", "echo2"],
        files: { "bin/mirror": "v2\n" },
      });
      const updated = await registry.update("mirror", await writeZip(root, "v2.zip", v2));
      expect(updated.manifest.version).toBe("v2");
      expect(rec.calls).toEqual(["added mirror install", "updated mirror v1.0.0->v2 exe:v2"]);
      expect(registry.findBySymbol("function", "echo2")?.name).toBe("mirror");
      expect(await readdir(pluginsDir)).toEqual(["mirror"]);
    });

    it("keeps the old version when the new package is invalid", async () => {
      const registry = new Registry({ pluginsDir });
      await registry.install("mirror", await writeZip(root, "v1.zip", fakePlugin()));
      const before = await snapshot(pluginsDir);
      const bad = await writeZip(
        root,
        "bad.zip",
        fakePlugin({ version: "v2", omit: ["bin/mirror"] }),
      );
      const err = await registry.update("mirror", bad).catch((e: unknown) => e);
      expect(HostError.is(err, "PORTABLE_E_MISSING_FILE")).toBe(true);
      expect(await snapshot(pluginsDir)).toEqual(before);
      expect(registry.find("mirror")?.manifest.version).toBe("v1.0.0");
    });

    it("puts the old version back when the runtime cannot restart with the new one", async () => {
      const rec = recorder({ pluginUpdated: true });
      const registry = new Registry({ pluginsDir, runtime: rec.runtime });
      await registry.install("mirror", await writeZip(root, "v1.zip", fakePlugin()));
      const before = await snapshot(pluginsDir);
      const v2 = await writeZip(
        root,
        "v2.zip",
        fakePlugin({ version: "v2", files: { "bin/mirror": "v2\n" } }),
      );
      const err = await registry.update("mirror", v2).catch((e: unknown) => e);
      expect(HostError.is(err, "PORTABLE_E_RUNTIME")).toBe(true);
      expect(await snapshot(pluginsDir)).toEqual(before);
      expect(registry.find("mirror")?.manifest.version).toBe("v1.0.0");
      expect(rec.calls.at(-1)).toMatch(/^updated mirror v2->v1.0.0 exe:#!\/bin\/sh/);
    });

    it("lets the new version keep its own symbols but not take another plugin's", async () => {
      const registry = new Registry({ pluginsDir });
      await registry.install(
        "a",
        await writeZip(root, "a.zip", fakePlugin({ name: "a", functions: ["fa"] })),
      );
      await registry.install(
        "b",
        await writeZip(
          root,
          "b.zip",
          fakePlugin({ name: "b", sources: ["rb"], sinks: [], functions: ["fb"] }),
        ),
      );
      const steal = await writeZip(
        root,
        "a2.zip",
        fakePlugin({ name: "a", functions: ["fa", "fb"] }),
      );
      const err = await registry.update("a", steal).catch((e: unknown) => e);
      expect(HostError.is(err, "PORTABLE_E_FUNCTION_COLLISION")).toBe(true);
    });

    it("refuses to update a plugin that is not installed", async () => {
      const err = await new Registry({ pluginsDir })
        .update("ghost", join(root, "x.zip"))
        .catch((e: unknown) => e);
      expect(HostError.is(err, "PORTABLE_E_NOT_FOUND")).toBe(true);
      expect((err as Error).message).toBe("portable plugin ghost is not found");
    });
  });

  describe("uninstall", () => {
    it("has the runtime stop the process before the files go", async () => {
      const rec = recorder();
      const registry = new Registry({ pluginsDir, runtime: rec.runtime });
      await registry.install("mirror", await writeZip(root, "m.zip", fakePlugin()));
      rec.runtime.pluginRemoving = async (p: InstalledPlugin) => {
        // The files are still there while the runtime stops the process.
        await stat(p.executablePath);
        rec.calls.push(`removing ${p.name}`);
      };
      await registry.uninstall("mirror");
      expect(rec.calls).toEqual(["added mirror install", "removing mirror"]);
      expect(registry.list()).toEqual([]);
      expect(registry.findBySymbol("function", "echo")).toBeUndefined();
      expect(await readdir(pluginsDir)).toEqual([]);
    });

    it("leaves everything in place when the runtime cannot stop the process", async () => {
      const rec = recorder({ pluginRemoving: true });
      const registry = new Registry({ pluginsDir, runtime: rec.runtime });
      await registry.install("mirror", await writeZip(root, "m.zip", fakePlugin()));
      const before = await snapshot(pluginsDir);
      const err = await registry.uninstall("mirror").catch((e: unknown) => e);
      expect(HostError.is(err, "PORTABLE_E_RUNTIME")).toBe(true);
      expect(await snapshot(pluginsDir)).toEqual(before);
      expect(registry.find("mirror")).toBeDefined();
    });

    it("reports an unknown plugin as not found", async () => {
      const err = await new Registry({ pluginsDir }).uninstall("ghost").catch((e: unknown) => e);
      expect(HostError.is(err, "PORTABLE_E_NOT_FOUND")).toBe(true);
    });
  });

  describe("loadAll", () => {
    it("finds every installed plugin again after a restart", async () => {
      const first = new Registry({ pluginsDir });
      await first.install(
        "a",
        await writeZip(
          root,
          "a.zip",
          fakePlugin({ name: "a", sources: ["ra"], sinks: [], functions: ["fa"] }),
        ),
      );
      await first.install(
        "b",
        await writeZip(
          root,
          "b.zip",
          fakePlugin({ name: "b", sources: [], sinks: ["sb"], functions: [] }),
        ),
      );
      const rec = recorder();
      const second = new Registry({ pluginsDir, runtime: rec.runtime });
      const report = await second.loadAll();
      expect(report.loaded).toEqual(["a", "b"]);
      expect(report.failed).toEqual([]);
      expect(second.list()).toEqual(first.list());
      expect(rec.calls).toEqual(["added a load", "added b load"]);
    });

    it("auto-loads folders placed by hand in name order, reports broken ones and loads the rest", async () => {
      await writeFolder(join(pluginsDir, "good"), fakePlugin({ name: "good" }));
      await writeFolder(
        join(pluginsDir, "broken"),
        fakePlugin({ name: "broken", omit: ["bin/mirror"], sources: ["r2"], functions: ["f2"] }),
      );
      await writeFolder(
        join(pluginsDir, "zclash"),
        fakePlugin({ name: "zclash", sources: ["r3"], sinks: [] }),
      );
      await writeFile(join(pluginsDir, "stray.txt"), "not a plugin");
      const registry = new Registry({ pluginsDir });
      const report = await registry.loadAll();
      expect(report.loaded).toEqual(["good"]);
      expect(report.failed.map((f) => [f.name, f.error.code])).toEqual([
        ["broken", "PORTABLE_E_MISSING_FILE"],
        ["zclash", "PORTABLE_E_FUNCTION_COLLISION"],
      ]);
      expect(report.skipped).toEqual(["stray.txt"]);
      expect((await stat(join(pluginsDir, "good/bin/mirror"))).mode & 0o111).toBe(0o111);
    });

    it("keeps plugins registered when the runtime fails to start them, reporting it", async () => {
      await writeFolder(join(pluginsDir, "mirror"), fakePlugin());
      const rec = recorder({ pluginAdded: true });
      const report = await new Registry({ pluginsDir, runtime: rec.runtime }).loadAll();
      expect(report.loaded).toEqual(["mirror"]);
      expect(report.runtimeErrors.map((e) => e.error.code)).toEqual(["PORTABLE_E_RUNTIME"]);
    });

    it("recovers from a crash in the middle of an update", async () => {
      // The old folder was moved aside, the new one never moved in.
      await writeFolder(join(pluginsDir, ".old-mirror-0123456789ab"), fakePlugin());
      await mkdir(join(pluginsDir, ".staging-mirror-xyz"));
      const report = await new Registry({ pluginsDir }).loadAll();
      expect(report.loaded).toEqual(["mirror"]);
      expect(await readdir(pluginsDir)).toEqual(["mirror"]);
    });
  });

  describe("get", () => {
    it("gives the manifest, each symbol's configuration names and its description as-is", async () => {
      const registry = new Registry({ pluginsDir });
      const files = fakePlugin({
        files: { "functions/echo.json": '{"about":{"description":{"en_US":"echo"}}}' },
      });
      await registry.install("mirror", await writeZip(root, "m.zip", files));
      const details = await registry.get("mirror");
      expect(details.plugin.manifest).toMatchObject({
        name: "mirror",
        sources: ["random"],
        sinks: ["file"],
        functions: ["echo"],
      });
      expect(details.sources[0]).toMatchObject({ name: "random", configKeys: ["default", "ext"] });
      expect(details.sources[0]?.description).toEqual({
        about: { trial: false },
        properties: { default: [] },
      });
      expect(details.functions[0]?.description).toEqual({
        about: { description: { en_US: "echo" } },
      });
      expect(details.sinks[0]?.description).toBeUndefined();
    });
  });
});
