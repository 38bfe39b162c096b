// A fuzz pass over the REST API, bounded in time (PORTABLE_FUZZ_MS per
// property, default 8 s): random and mutated methods, paths, headers and
// bodies against a real server on loopback, then raw bytes on its socket.
// Every answer must be a success or a well-formed error document (never a
// 500 from an unexpected exception, never a stack), no request may hang, and
// the server must still answer /ping afterwards.

import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Registry } from "../src/install/registry.js";
import { createRestServer, type RestServer } from "../src/rest/server.js";
import { fakePlugin, writeFolder, writeZip } from "./helpers.js";

const BUDGET_MS = Number(process.env["PORTABLE_FUZZ_MS"] ?? 8000);
const ANSWER_MS = 5000;

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

interface Answer {
  status: number;
  type: string;
  text: string;
}

function send(port: number, r: Sent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        method: r.method,
        path: r.path,
        headers: r.headers,
        setHost: !("host" in r.headers),
        // One connection per request: a body the server did not read must not become the next request.
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => {
          text += c;
        });
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers["content-type"] ?? ""),
            text,
          }),
        );
        res.on("error", reject);
      },
    );
    req.setTimeout(ANSWER_MS, () => req.destroy(new Error(`no answer in ${ANSWER_MS} ms (hang)`)));
    req.on("error", reject);
    req.end(r.body);
  });
}

/** Checks one answer; returns a reason it is wrong, or undefined. */
function wrong(r: Sent, a: Answer): string | undefined {
  if (a.status < 200 || a.status > 599) return `status ${a.status}`;
  if (/\n\s+at .+:\d+:\d+/.test(a.text)) return "a stack trace in the answer";
  if (a.status < 400 || r.method === "HEAD") return undefined;
  if (!/application\/json/.test(a.type)) return `error with content-type ${a.type}: ${a.text}`;
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    return `error body is not JSON: ${a.text}`;
  }
  const b = body as { error?: unknown; message?: unknown; code?: unknown };
  if (typeof b.error !== "number" || typeof b.message !== "string" || typeof b.code !== "string") {
    return `error body is not the API's shape: ${a.text}`;
  }
  if (!b.code.startsWith("PORTABLE_E_")) return `error code ${b.code}`;
  if (b.code === "PORTABLE_E_INTERNAL" || (a.status >= 500 && b.code !== "PORTABLE_E_INSTALL")) {
    return `server error ${a.status}: ${a.text}`;
  }
  return undefined;
}

describe("REST fuzz", () => {
  let root: string;
  let server: RestServer;
  let files: string[];

  beforeAll(async () => {
    // Not tempDir(): that one is removed after each test, and the server uses it for the whole file.
    root = await mkdtemp(join(tmpdir(), "host-fuzz-"));
    const registry = new Registry({
      pluginsDir: join(root, "plugins"),
      installScriptTimeoutMs: 2000,
    });
    const zip = pathToFileURL(await writeZip(root, "mirror.zip", fakePlugin())).href;
    await registry.install("mirror", zip);
    const other = await writeFolder(
      join(root, "folder"),
      fakePlugin({ name: "folder", sources: ["s2"], sinks: ["k2"], functions: ["f2"] }),
    );
    const bad = pathToFileURL(await writeZip(root, "bad.zip", { "x.txt": "not a plugin" })).href;
    files = [zip, bad, pathToFileURL(other).href, "http://127.0.0.1:1/p.zip", `${zip}?x#y`];
    server = await createRestServer(registry, undefined, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true, maxRetries: 3 });
  });

  const segment = fc.oneof(
    fc.constantFrom(
      "mirror",
      "folder",
      "ghost",
      "sources",
      "sinks",
      "functions",
      "yaml",
      "status",
      "random",
      "echo",
    ),
    fc.string({ maxLength: 12 }).map(encodeURIComponent),
    fc.constantFrom(
      "..",
      ".",
      "%2e%2e",
      "%2F",
      "%zz",
      "%",
      "%00",
      "a%20b",
      "~",
      "*",
      "plugins",
      "portables",
    ),
  );
  const path = fc
    .oneof(
      fc.constantFrom(
        "/ping",
        "/plugins/portables",
        "/plugins/portables/mirror",
        "/plugins/portables/mirror/status",
        "/metadata/sources/random",
        "/metadata/sources/yaml/random",
        "/metadata/functions/echo",
      ),
      fc.array(segment, { maxLength: 6 }).map((s) => `/${s.join("/")}`),
      fc
        .tuple(
          fc.constantFrom("/plugins/portables/", "/metadata/", "//"),
          fc.array(segment, { maxLength: 3 }),
        )
        .map(([p, s]) => p + s.join("/")),
    )
    .chain((p) =>
      fc.oneof(
        fc.constant(p),
        fc.string({ maxLength: 10 }).map((q) => `${p}?${encodeURIComponent(q)}`),
      ),
    );
  const method = fc.oneof(
    {
      arbitrary: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"),
      weight: 6,
    },
    fc.stringMatching(/^[A-Z]{1,10}$/),
  );
  const json = fc.jsonValue({ maxDepth: 3 });
  const validBody = fc.record(
    {
      name: fc.oneof(
        fc.constantFrom("mirror", "folder", "fz", "../x", ""),
        fc.string({ maxLength: 20 }),
        json,
      ),
      file: fc.oneof(
        fc.integer({ min: 0, max: 4 }).map((i) => files[i] as string),
        fc.string({ maxLength: 30 }),
        json,
      ),
      shellParas: fc.oneof(fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }), json),
    },
    { requiredKeys: [] },
  );
  const body = fc.oneof(
    fc.constant(undefined),
    { arbitrary: validBody.map((b) => JSON.stringify(b)), weight: 4 },
    json.map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }),
    validBody
      .map((b) => JSON.stringify(b))
      .chain((s) => fc.nat(Math.max(0, s.length - 1)).map((n) => s.slice(0, n))),
  );
  const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,40}$/);
  /** Mostly absent: a header that is present often refuses the request before a handler runs. */
  const rare = <T>(arb: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 5 }, arb);
  const headers = fc
    .record({
      "content-type": fc.oneof(
        { arbitrary: fc.constant("application/json"), weight: 4 },
        fc.constantFrom(
          "application/json; charset=utf-8",
          "text/plain",
          "multipart/form-data",
          "application/x-www-form-urlencoded",
          "",
        ),
        headerValue,
      ),
      host: rare(
        fc.constantFrom(
          "localhost",
          "127.0.0.1:9081",
          "[::1]",
          "evil.example",
          "localhost.",
          "127.0.0.1.nip.io",
        ),
      ),
      origin: rare(
        fc.oneof(fc.constantFrom("null", "http://evil.example", "http://127.0.0.1"), headerValue),
      ),
      "sec-fetch-site": rare(
        fc.constantFrom("cross-site", "same-site", "same-origin", "none", "garbage"),
      ),
      authorization: rare(headerValue),
      accept: rare(headerValue),
      "x-fuzz": rare(headerValue),
    })
    .map(
      (h) =>
        Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as Record<
          string,
          string
        >,
    );
  /** Near-valid changes: the right paths and JSON bodies naming real packages, so handlers run. */
  const change = fc.record({
    method: fc.constantFrom("POST", "PUT", "DELETE"),
    path: fc.constantFrom(
      "/plugins/portables",
      "/plugins/portables/mirror",
      "/plugins/portables/folder",
      "/plugins/portables/fz",
    ),
    headers: fc.constant({ "content-type": "application/json" }),
    body: fc
      .record({
        name: fc.constantFrom("mirror", "folder", "fz"),
        file: fc.integer({ min: 0, max: 4 }).map((i) => files[i] as string),
      })
      .map((b) => JSON.stringify(b)),
  });
  const sent: fc.Arbitrary<Sent> = fc
    .oneof({ arbitrary: fc.record({ method, path, headers, body }), weight: 3 }, change)
    .map((r) => (r.method === "GET" || r.method === "HEAD" ? { ...r, body: undefined } : r));

  it(
    "answers random and mutated requests with a success or a well-formed error, within time",
    async () => {
      let runs = 0;
      await fc.assert(
        fc.asyncProperty(sent, async (r) => {
          runs += 1;
          const a = await send(server.port, r);
          const why = wrong(r, a);
          if (why) throw new Error(`${r.method} ${r.path}: ${why}`);
        }),
        { numRuns: 1_000_000, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false },
      );
      expect(runs).toBeGreaterThan(20);
      expect((await fetch(`${server.url}/ping`)).status).toBe(200);
    },
    BUDGET_MS + 30_000,
  );

  it(
    "survives raw bytes on its socket and keeps serving",
    async () => {
      const raw = fc.oneof(
        fc.uint8Array({ maxLength: 300 }),
        fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
        fc
          .tuple(method, fc.string({ maxLength: 30 }), fc.string({ maxLength: 60 }))
          .map(([m, p, h]) => Buffer.from(`${m} ${p} HTTP/1.1\r\nHost: localhost\r\n${h}\r\n\r\n`)),
      );
      await fc.assert(
        fc.asyncProperty(raw, async (bytes) => {
          const reply = await new Promise<string>((resolve, reject) => {
            const socket = connect(server.port, "127.0.0.1");
            let text = "";
            socket.setTimeout(ANSWER_MS, () => {
              socket.destroy();
              reject(new Error("raw request: no answer and no close (hang)"));
            });
            socket.on("data", (c) => {
              text += c.toString("latin1");
            });
            socket.on("error", () => resolve(text));
            socket.on("close", () => resolve(text));
            socket.end(bytes);
          });
          if (reply !== "" && !/^HTTP\/1\.[01] [1-4]\d\d /.test(reply)) {
            throw new Error(`raw request answered ${JSON.stringify(reply.slice(0, 200))}`);
          }
          if (/\n\s+at .+:\d+:\d+/.test(reply)) throw new Error("a stack trace in the answer");
        }),
        {
          numRuns: 1_000_000,
          interruptAfterTimeLimit: BUDGET_MS / 2,
          markInterruptAsFailure: false,
        },
      );
      expect((await fetch(`${server.url}/ping`)).status).toBe(200);
    },
    BUDGET_MS + 30_000,
  );
});
