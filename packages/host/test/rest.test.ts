// The REST API end to end over real HTTP: the reference's paths, bodies,
// texts and error shape, and who may call it.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { Registry } from "../src/install/registry.js";
import { createRestServer, type RestServer } from "../src/rest/server.js";
import type { PluginRuntime } from "../src/runtime.js";
import { fakePlugin, tempDir, writeFolder, writeZip } from "./helpers.js";

describe("REST API", () => {
  let root: string;
  let registry: Registry;
  let server: RestServer;
  let zipUrl: string;

  const call = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    fetch(`${server.url}${path}`, {
      method,
      headers: body === undefined ? headers : { "content-type": "application/json", ...headers },
      ...(body === undefined
        ? {}
        : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });

  beforeEach(async () => {
    root = await tempDir();
    registry = new Registry({ pluginsDir: join(root, "plugins") });
    zipUrl = pathToFileURL(await writeZip(root, "mirror.zip", fakePlugin())).href;
    server = await createRestServer(registry, undefined, { port: 0 });
  });

  afterEach(() => server.close());

  it("POST /plugins/portables installs from a file:// URL: 201 and the reference's text", async () => {
    const res = await call("POST", "/plugins/portables", { name: "mirror", file: zipUrl });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe("portable plugin mirror is created");
    expect(registry.find("mirror")).toBeDefined();
  });

  it("GET /plugins/portables lists plugins in the reference's shape", async () => {
    expect(await (await call("GET", "/plugins/portables")).json()).toEqual([]);
    await registry.install("mirror", zipUrl);
    expect(await (await call("GET", "/plugins/portables")).json()).toEqual([
      {
        name: "mirror",
        version: "v1.0.0",
        language: "go",
        executable: join(root, "plugins", "mirror", "bin", "mirror"),
        sources: ["random"],
        sinks: ["file"],
        functions: ["echo"],
      },
    ]);
  });

  it("GET /plugins/portables/{name} describes one plugin, 404 in the reference's error shape otherwise", async () => {
    await registry.install("mirror", zipUrl);
    expect(await (await call("GET", "/plugins/portables/mirror")).json()).toMatchObject({
      name: "mirror",
      language: "go",
      functions: ["echo"],
    });
    const res = await call("GET", "/plugins/portables/ghost");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 1002,
      message: "describe portable plugin ghost error: not found",
      code: "PORTABLE_E_NOT_FOUND",
    });
  });

  it("PUT /plugins/portables/{name} updates the plugin", async () => {
    await registry.install("mirror", zipUrl);
    const v2 = pathToFileURL(await writeZip(root, "v2.zip", fakePlugin({ version: "v2" }))).href;
    const res = await call("PUT", "/plugins/portables/mirror", { name: "mirror", file: v2 });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("portable plugin mirror is updated");
    expect(registry.find("mirror")?.manifest.version).toBe("v2");
    const clash = await call("PUT", "/plugins/portables/mirror", { name: "other", file: v2 });
    expect(clash.status).toBe(400);
    expect(await clash.json()).toMatchObject({ code: "PORTABLE_E_BAD_REQUEST" });
  });

  it("DELETE /plugins/portables/{name} uninstalls it", async () => {
    await registry.install("mirror", zipUrl);
    const res = await call("DELETE", "/plugins/portables/mirror");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("portable plugin mirror is deleted");
    expect(registry.list()).toEqual([]);
    const again = await call("DELETE", "/plugins/portables/mirror");
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({
      error: 1002,
      message: "delete portable plugin mirror error: portable plugin mirror is not found",
    });
  });

  it("GET /plugins/portables/{name}/status serves the status document", async () => {
    await registry.install("mirror", zipUrl);
    // No runtime attached: an installed plugin has no process.
    const stopped = await call("GET", "/plugins/portables/mirror/status");
    expect(await stopped.text()).toBe('{"refCount":{},"status":"stop","errMsg":""}');
    const runtime: PluginRuntime = {
      status: (name) =>
        name === "mirror"
          ? { refCount: { rule1: 2 }, status: "running", errMsg: "", pid: 4242 }
          : undefined,
    };
    registry.setRuntime(runtime);
    const running = await call("GET", "/plugins/portables/mirror/status");
    expect(running.headers.get("content-type")).toMatch(/application\/json/);
    expect(await running.text()).toBe(
      '{"refCount":{"rule1":2},"status":"running","errMsg":"","pid":4242}',
    );
    const ghost = await call("GET", "/plugins/portables/ghost/status");
    expect(ghost.status).toBe(404);
    expect(await ghost.json()).toMatchObject({
      message: "portable plugin ghost not found: not found",
    });
  });

  it("serves symbol descriptions and source configurations as-is", async () => {
    await registry.install("mirror", zipUrl);
    expect(await (await call("GET", "/metadata/sources/random")).json()).toEqual({
      about: { trial: false },
      properties: { default: [] },
    });
    expect(await (await call("GET", "/metadata/sources/yaml/random")).json()).toEqual({
      default: { interval: 1000, deduplicate: 0 },
      ext: { interval: 100 },
    });
    expect((await call("GET", "/metadata/sinks/file")).status).toBe(404);
  });

  it("knows the symbol kinds by their manifest list names only", async () => {
    await registry.install("mirror", zipUrl);
    for (const kind of ["function", "constructor", "toString", "__proto__"]) {
      const res = await call("GET", `/metadata/${kind}/echo`);
      expect(res.status, kind).toBe(404);
      expect(((await res.json()) as { message: string }).message, kind).toMatch(
        `describe ${kind} echo error`,
      );
    }
  });

  it.each([
    ["not JSON", "{nope", /^Invalid body: Error decoding the portable plugin json: /],
    ["without file", { name: "mirror" }, /must have required property 'file'/],
    [
      "with a plain path instead of a URL",
      { name: "mirror", file: "/tmp/x.zip" },
      /invalid uri \/tmp\/x.zip/,
    ],
  ])("refuses a POST body %s with 400", async (_title, body, message) => {
    const res = await call("POST", "/plugins/portables", body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: number; message: string };
    expect(json.error).toBe(1000);
    expect(json.message).toMatch(message);
  });

  it("passes shellParas to install.sh, and accepts a file:// URL of a folder", async () => {
    const dir = join(root, "folder");
    await writeFolder(dir, fakePlugin({ files: { "install.sh": 'echo "$@" > params.txt\n' } }));
    const res = await call("POST", "/plugins/portables", {
      name: "mirror",
      file: pathToFileURL(dir).href,
      shellParas: ["--mirror", "a b"],
    });
    expect(res.status).toBe(201);
    expect(await readFile(join(root, "plugins", "mirror", "params.txt"), "utf8")).toBe(
      "--mirror a b\n",
    );
  });

  it("reports an install failure with its code and the reference's prefix", async () => {
    const bad = pathToFileURL(
      await writeZip(root, "bad.zip", fakePlugin({ omit: ["mirror.json"] })),
    ).href;
    const res = await call("POST", "/plugins/portables", { name: "mirror", file: bad });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 1000,
      message: "portable plugin create command error: plugin mirror: missing manifest mirror.json",
      code: "PORTABLE_E_MANIFEST",
    });
  });
});

describe("REST access control", () => {
  it("refuses to listen beyond loopback without a token", async () => {
    const registry = new Registry({ pluginsDir: join(await tempDir(), "plugins") });
    const err = await createRestServer(registry, undefined, { host: "0.0.0.0", port: 0 }).catch(
      (e: unknown) => e,
    );
    expect(HostError.is(err, "PORTABLE_E_SERVER")).toBe(true);
    expect((err as Error).message).toMatch(/refusing to listen on 0.0.0.0 without a token/);
  });

  it("requires the bearer token on every request once one is set", async () => {
    const registry = new Registry({ pluginsDir: join(await tempDir(), "plugins") });
    const server = await createRestServer(registry, undefined, {
      host: "0.0.0.0",
      port: 0,
      token: "s3cret",
    });
    try {
      const url = `http://127.0.0.1:${server.port}/plugins/portables`;
      const none = await fetch(url);
      expect(none.status).toBe(401);
      expect(await none.json()).toMatchObject({ code: "PORTABLE_E_UNAUTHORIZED" });
      expect((await fetch(url, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: "Bearer s3cret" } })).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
