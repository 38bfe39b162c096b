// The REST routes that try symbols by hand, over real HTTP against a
// PortableHost running the TypeScript mirror (examples/mirror, packed as a
// user does): POST /functions/{name}/exec and the NDJSON stream of GET
// /sources/{name}/rows, with bad input, a client that leaves mid-stream,
// and the token and cross-site rules. Afterwards no instance is left.

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packPlugin } from "@portable-plugins/sdk/pack";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PortableHost } from "../src/host.js";
import { createRestServer, type RestServer } from "../src/rest/server.js";
import type { SourceProxy } from "../src/run/proxies/source.js";
import { collectingLogger, waitFor } from "./runtime-helpers.js";

const MIRROR = fileURLToPath(new URL("../../../examples/mirror", import.meta.url));

let work: string;
let host: PortableHost;
let server: RestServer;
let guarded: RestServer;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "host-try-rest-"));
  const { zip } = await packPlugin({
    dir: MIRROR,
    entry: "src/main.ts",
    out: join(work, "mirror.zip"),
    language: "nodejs",
  });
  host = new PortableHost({
    dataDir: join(work, "data"),
    socketDir: join(work, "sockets"),
    logger: collectingLogger(),
  });
  await host.install("mirror", zip);
  server = await createRestServer(host.registry, undefined, { port: 0, symbols: host });
  guarded = await createRestServer(host.registry, undefined, {
    port: 0,
    symbols: host,
    token: "t0k",
  });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await guarded?.close();
  await host?.close();
  const left = await readdir(join(work, "sockets")).catch(() => [] as string[]);
  expect(left.filter((f) => f.endsWith(".ipc"))).toEqual([]);
  await rm(work, { recursive: true, force: true });
}, 60_000);

const exec = (name: string, body: string, base = server.url, headers = {}) =>
  fetch(`${base}/functions/${name}/exec`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });

/** The NDJSON lines of a finished tail answer. */
async function lines(res: Response): Promise<unknown[]> {
  const text = await res.text();
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as unknown);
}

const noTryInstance = () =>
  waitFor("the tail instance to stop", () => {
    const refCount = host.status("mirror")?.refCount ?? {};
    return !("portable-try" in refCount) && refCount;
  });

describe("POST /functions/{name}/exec", () => {
  it("calls the function with the body's arguments and answers its value", async () => {
    const res = await exec("echo", JSON.stringify([{ hello: ["world", 1] }]));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ result: { hello: ["world", 1] } });
    // The proxy of the call is released: no user of the plugin is left.
    expect(host.status("mirror")?.refCount).toEqual({});
  });

  it("answers 404 for an unknown function", async () => {
    const res = await exec("nope", "[1]");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 1002,
      message: "exec function nope error: function nope is not provided by any portable plugin",
      code: "PORTABLE_E_NOT_FOUND",
    });
  });

  it("answers 400 for malformed JSON, naming the route", async () => {
    const res = await exec("echo", '["hi"');
    expect(res.status).toBe(400);
    const body = (await res.json()) as { message: string; code: string };
    expect(body.code).toBe("PORTABLE_E_BAD_REQUEST");
    expect(body.message).toMatch(/^exec function echo error: the body is not JSON: /);
  });

  it("answers 400 when the body is not an array", async () => {
    const res = await exec("echo", '{"a":1}');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 1000,
      message:
        'exec function echo error: the body must be a JSON array of the arguments, e.g. ["hello"] (got object)',
      code: "PORTABLE_E_BAD_REQUEST",
    });
  });

  it("answers 400 with the host's text when the arguments do not fit echo's signature", async () => {
    // functions/echo.json declares one argument: the host refuses [] before the plugin sees it.
    const res = await exec("echo", "[]");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 1000,
      message:
        "exec function echo error: plugin mirror: function echo: arguments: expected 1 argument, got 0",
      code: "PORTABLE_E_TYPE",
    });
  });

  it("needs the token when the server has one, and refuses a cross-site call", async () => {
    expect((await exec("echo", "[1]", guarded.url)).status).toBe(401);
    const ok = await exec("echo", "[1]", guarded.url, { authorization: "Bearer t0k" });
    expect(await ok.json()).toEqual({ result: 1 });
    const cross = await exec("echo", "[1]", server.url, { "sec-fetch-site": "cross-site" });
    expect(cross.status).toBe(403);
  });
});

describe("GET /sources/{name}/rows", () => {
  const tail = (query: string, init: RequestInit = {}, base = server.url) =>
    fetch(`${base}/sources/random/rows${query}`, init);

  it("streams count rows as NDJSON, then stops the instance", async () => {
    const props = encodeURIComponent(JSON.stringify({ interval: 5, pattern: { n: 7 } }));
    const res = await tail(`?props=${props}&count=3`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/x-ndjson; charset=utf-8");
    expect(await lines(res)).toEqual([
      { message: { n: 7 }, meta: null },
      { message: { n: 7 }, meta: null },
      { message: { n: 7 }, meta: null },
    ]);
    await noTryInstance();
  });

  it("uses a named configuration of sources/random.yaml", async () => {
    // `spread`: values 50..59; interval overridden to keep the test short.
    const props = encodeURIComponent(JSON.stringify({ interval: 5 }));
    const rows = await lines(await tail(`?confKey=spread&props=${props}&count=2`));
    for (const row of rows) {
      const n = (row as { message: { count: number } }).message.count;
      expect(n).toBeGreaterThanOrEqual(50);
      expect(n).toBeLessThan(60);
    }
    await noTryInstance();
  });

  it("stops the instance when the client leaves mid-stream", async () => {
    const controller = new AbortController();
    const props = encodeURIComponent(JSON.stringify({ interval: 5 }));
    const res = await tail(`?props=${props}`, { signal: controller.signal });
    const reader = res.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^\{"message":\{"count":50\}/);
    expect(host.status("mirror")?.refCount).toMatchObject({ "portable-try": 1 });
    controller.abort();
    await noTryInstance();
  });

  it("stops the instance when the client leaves while no row comes", async () => {
    const controller = new AbortController();
    const props = encodeURIComponent(JSON.stringify({ interval: 600_000 }));
    const res = await tail(`?props=${props}`, { signal: controller.signal });
    expect(res.status).toBe(200);
    expect(host.status("mirror")?.refCount).toMatchObject({ "portable-try": 1 });
    controller.abort();
    await noTryInstance();
  });

  it("stops the instance when the client left while the source was starting", async () => {
    // The real host, behind a gate that holds the start until the client has left.
    let entered!: () => void;
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let opening: Promise<SourceProxy> | undefined;
    const gated = await createRestServer(host.registry, undefined, {
      port: 0,
      symbols: {
        function: (name) => host.function(name),
        source: async (name, meta, opts) => {
          entered();
          await gate;
          opening = host.source(name, meta, opts);
          return opening;
        },
      },
    });
    try {
      const controller = new AbortController();
      const props = encodeURIComponent(JSON.stringify({ interval: 600_000 }));
      const res = fetch(`${gated.url}/sources/random/rows?props=${props}`, {
        signal: controller.signal,
      }).catch(() => undefined);
      await inside;
      controller.abort();
      await res;
      await new Promise((r) => setTimeout(r, 100)); // the server sees the connection close
      release();
      // The instance does start, after the client left; the route must then stop it.
      await await waitFor("the start to be sent", () => opening);
      await noTryInstance();
    } finally {
      await gated.close();
    }
  });

  it("refuses bad props and counts with 400, an unknown source with 404", async () => {
    const badJson = await tail("?props=%7Binterval");
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { message: string }).message).toMatch(
      /^tail source random error: props is not JSON: /,
    );
    const notObject = await tail("?props=%5B1%5D");
    expect(await notObject.json()).toMatchObject({
      message: "tail source random error: props must be a JSON object",
    });
    const count = await tail("?count=0");
    expect(count.status).toBe(400);
    expect(await count.json()).toMatchObject({
      message: 'tail source random error: count must be an integer >= 1, got "0"',
    });
    const unknown = await fetch(`${server.url}/sources/nope/rows`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      message: "tail source nope error: source nope is not provided by any portable plugin",
    });
  });

  it("answers the host's refusal of properties that do not fit the source's schema", async () => {
    // sources/random.json declares interval >= 1: refused before the plugin sees it.
    const props = encodeURIComponent(JSON.stringify({ interval: -1 }));
    const res = await tail(`?props=${props}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 1000,
      message:
        "tail source random error: plugin mirror: source random: configuration at /interval: expected >= 1, got number -1",
      code: "PORTABLE_E_TYPE",
    });
    await noTryInstance();
  });

  it("serves no HEAD (it would start an instance for nothing): 405, Allow: GET", async () => {
    const res = await tail("?count=1", { method: "HEAD" });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(host.status("mirror")?.refCount).toEqual({});
  });

  it("needs the token, and refuses a cross-site request though it is a GET", async () => {
    const props = `?props=${encodeURIComponent('{"interval":5}')}&count=1`;
    expect((await tail(props, {}, guarded.url)).status).toBe(401);
    const ok = await tail(props, { headers: { authorization: "Bearer t0k" } }, guarded.url);
    expect(await lines(ok)).toHaveLength(1);
    const cross = await tail(props, { headers: { "sec-fetch-site": "cross-site" } });
    expect(cross.status).toBe(403);
    expect(await cross.json()).toMatchObject({
      message: "cross-site GET /sources/random/rows refused (Sec-Fetch-Site: cross-site)",
      code: "PORTABLE_E_FORBIDDEN",
    });
    await noTryInstance();
  });
});
