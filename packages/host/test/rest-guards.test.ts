// The REST API's refusals over real HTTP on loopback: Host names without a
// token (DNS rebinding), cross-site browser requests that change state, and
// wrong methods (405 with Allow) and unknown paths (404), all in the API's
// error shape.

import { request } from "node:http";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Registry } from "../src/install/registry.js";
import { createRestServer, type RestServer } from "../src/rest/server.js";
import { fakePlugin, tempDir, writeZip } from "./helpers.js";

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One request with exactly these headers (fetch would not let a test set Host). */
function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, method, path, headers, setHost: !("host" in headers) },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("REST guards", () => {
  let root: string;
  let registry: Registry;
  let server: RestServer | undefined;
  let zipUrl: string;

  beforeEach(async () => {
    root = await tempDir();
    registry = new Registry({ pluginsDir: join(root, "plugins") });
    zipUrl = pathToFileURL(await writeZip(root, "mirror.zip", fakePlugin())).href;
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const start = async (opts: { token?: string; allowedHosts?: string[] } = {}) => {
    server = await createRestServer(registry, undefined, { port: 0, ...opts });
    return server.port;
  };
  const install = (port: number, headers: Record<string, string>) =>
    send(
      port,
      "POST",
      "/plugins/portables",
      { "content-type": "application/json", ...headers },
      JSON.stringify({ name: "mirror", file: zipUrl }),
    );

  it("without a token, refuses a Host that is not a loopback name (DNS rebinding) and changes nothing", async () => {
    const port = await start();
    const res = await install(port, { host: `evil.example:${port}` });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toEqual({
      error: 1000,
      message: expect.stringMatching(/host name "evil.example" is not allowed/),
      code: "PORTABLE_E_FORBIDDEN",
    });
    expect((await send(port, "GET", "/plugins/portables", { host: "evil.example" })).status).toBe(
      403,
    );
    expect(registry.list()).toEqual([]);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, "LOCALHOST"]) {
      expect((await send(port, "GET", "/plugins/portables", { host })).status, host).toBe(200);
    }
  });

  it("serves the Host names the operator allows, and any name once a token is set", async () => {
    let port = await start({ allowedHosts: ["edge-box"] });
    expect((await send(port, "GET", "/ping", { host: `edge-box:${port}` })).status).toBe(200);
    expect((await send(port, "GET", "/ping", { host: `other-box:${port}` })).status).toBe(403);
    await server?.close();
    port = await start({ token: "t0k" });
    const auth = { authorization: "Bearer t0k" };
    expect((await send(port, "GET", "/ping", { host: "edge-box", ...auth })).status).toBe(200);
  });

  it.each([
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "sec-fetch-site": "same-site" }],
    ["an Origin of another site", { origin: "http://evil.example" }],
    ["an Origin of another port", { origin: "http://127.0.0.1:1" }],
    ["Origin: null", { origin: "null" }],
  ])("refuses a state-changing request with %s", async (_title, headers) => {
    const port = await start();
    const res = await install(port, headers);
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ code: "PORTABLE_E_FORBIDDEN" });
    expect(JSON.parse(res.text).message).toMatch(/cross-site POST refused/);
    const del = await send(port, "DELETE", "/plugins/portables/mirror", headers);
    expect(del.status).toBe(403);
    expect(registry.list()).toEqual([]);
  });

  it("accepts same-origin browser requests and programs that send no Origin", async () => {
    const port = await start();
    const same = await install(port, {
      origin: `http://127.0.0.1:${port}`,
      "sec-fetch-site": "same-origin",
    });
    expect(same.status).toBe(201);
    // A cross-site GET reads nothing that changes state: served.
    const get = await send(port, "GET", "/plugins/portables", { "sec-fetch-site": "cross-site" });
    expect(get.status).toBe(200);
    // An empty body with a JSON content type (curl -X DELETE -H ...) is no body.
    const del = await send(port, "DELETE", "/plugins/portables/mirror", {
      "content-type": "application/json",
    });
    expect(del.status).toBe(200);
  });

  it.each([
    ["PATCH", "/plugins/portables/mirror", "DELETE, GET, HEAD, PUT"],
    ["DELETE", "/plugins/portables", "GET, HEAD, POST"],
    ["POST", "/plugins/portables/mirror/status", "GET, HEAD"],
    ["PUT", "/ping", "GET, HEAD"],
    ["OPTIONS", "/metadata/sources/random", "GET, HEAD"],
  ])("answers %s %s with 405, Allow and the API's error shape", async (method, path, allow) => {
    const port = await start();
    const res = await send(port, method, path, {});
    expect(res.status).toBe(405);
    expect(res.headers["allow"]).toBe(allow);
    expect(res.headers["content-type"]).toMatch(/application\/json/);
    expect(JSON.parse(res.text)).toEqual({
      error: 1000,
      message: `method ${method} is not allowed on ${path}; allowed: ${allow}`,
      code: "PORTABLE_E_METHOD",
    });
  });

  it("answers an unknown path with 404 in the API's error shape", async () => {
    const port = await start();
    const res = await send(port, "GET", "/plugins/nothing/here?x=1", {});
    expect(res.status).toBe(404);
    expect(JSON.parse(res.text)).toEqual({
      error: 1002,
      message: "GET /plugins/nothing/here?x=1: not found",
      code: "PORTABLE_E_NOT_FOUND",
    });
  });
});
