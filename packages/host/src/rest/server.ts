// The eKuiper-compatible REST API for portable plugins (paths, bodies, texts
// and error shape of the reference host on port 9081), on fastify: bodies are
// checked against JSON schemas before a handler runs.

import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { JsonValue } from "@portable-plugins/protocol";
import { PluginStatus } from "@portable-plugins/protocol";
import Fastify, { type FastifyError, type FastifyReply } from "fastify";
import { HostError } from "../errors.js";
import type { SymbolKind } from "../names.js";
import { toPluginInfo } from "../plugin.js";
import type { Registry } from "../registry.js";
import { type PluginRuntime, stoppedStatus } from "../runtime.js";
import { bearerMatches, isLoopbackHost } from "./auth.js";
import { errorResponse } from "./errors.js";

export interface RestServerOptions {
  /** Address to listen on (default 127.0.0.1). Anything but loopback needs `token`. */
  readonly host?: string;
  /** Port (default 9081, the reference's; 0 picks a free one). */
  readonly port?: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
}

export interface RestServer {
  /** Base URL, e.g. `http://127.0.0.1:9081`. */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

interface PluginBody {
  name?: string;
  file: string;
  shellParas?: string[];
}

const pluginBody = (nameRequired: boolean) => ({
  type: "object",
  required: nameRequired ? ["name", "file"] : ["file"],
  properties: {
    name: { type: "string" },
    file: { type: "string", minLength: 1 },
    shellParas: { type: "array", items: { type: "string" } },
  },
});

const KINDS: Record<string, SymbolKind> = {
  sources: "source",
  sinks: "sink",
  functions: "function",
};

/**
 * A URL of a zip (PROTOCOL.md §6.7): the file is read by the server, not sent.
 * Our one extension: a `file://` URL may name a plugin folder.
 */
async function checkUri(file: string): Promise<void> {
  const bad = (why: string) =>
    new HostError("PORTABLE_E_BAD_REQUEST", `invalid uri ${file}: ${why}`, { url: file });
  if (!/^(https?|file):\/\//i.test(file)) throw bad("use http://, https:// or file://");
  let url: URL;
  try {
    url = new URL(file);
  } catch {
    throw bad("not a URL");
  }
  if (url.pathname.toLowerCase().endsWith(".zip")) return;
  if (url.protocol === "file:") {
    const isDir = await stat(fileURLToPath(url)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (isDir) return;
  }
  throw bad("must end in .zip");
}

const shellParas = (body: PluginBody) => (body.shellParas ? { shellParas: body.shellParas } : {});

function sendError(reply: FastifyReply, err: unknown, prefix: string): FastifyReply {
  const { status, body } = errorResponse(err, prefix);
  return reply.code(status).type("application/json").send(body);
}

function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type("text/plain; charset=utf-8").send(text);
}

const notFound = () => new HostError("PORTABLE_E_NOT_FOUND", "not found");

/**
 * Starts the REST server for `registry`. `runtime` answers status requests
 * (default: the registry's runtime at request time; an installed plugin no
 * runtime knows is reported as stopped).
 */
export async function createRestServer(
  registry: Registry,
  runtime?: PluginRuntime,
  opts: RestServerOptions = {},
): Promise<RestServer> {
  const host = opts.host ?? "127.0.0.1";
  const token = opts.token;
  if (!isLoopbackHost(host) && !token) {
    throw new HostError(
      "PORTABLE_E_SERVER",
      `refusing to listen on ${host} without a token: the API installs and runs programs; set a token or use 127.0.0.1`,
    );
  }
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024, forceCloseConnections: true });

  if (token) {
    app.addHook("onRequest", async (req, reply) => {
      if (!bearerMatches(req.headers.authorization, token)) {
        return sendError(
          reply,
          new HostError("PORTABLE_E_UNAUTHORIZED", "missing or invalid bearer token"),
          "",
        );
      }
    });
  }

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation || (err.statusCode !== undefined && err.statusCode < 500)) {
      const bad = new HostError("PORTABLE_E_BAD_REQUEST", err.message, { cause: err });
      return sendError(reply, bad, "Invalid body: Error decoding the portable plugin json");
    }
    return sendError(reply, err, "");
  });

  app.get("/ping", async (_req, reply) => reply.code(200).send());

  app.get("/plugins/portables", async (_req, reply) =>
    reply.send(registry.list().map(toPluginInfo)),
  );

  app.post<{ Body: PluginBody }>(
    "/plugins/portables",
    { schema: { body: pluginBody(true) } },
    async (req, reply) => {
      const name = (req.body.name ?? "").trim();
      try {
        await checkUri(req.body.file);
        await registry.install(name, req.body.file, shellParas(req.body));
      } catch (err) {
        return sendError(reply, err, "portable plugin create command error");
      }
      return sendText(reply, 201, `portable plugin ${name} is created`);
    },
  );

  app.get<{ Params: { name: string } }>("/plugins/portables/:name", async (req, reply) => {
    const plugin = registry.find(req.params.name);
    if (!plugin)
      return sendError(reply, notFound(), `describe portable plugin ${req.params.name} error`);
    return reply.send(toPluginInfo(plugin));
  });

  app.put<{ Params: { name: string }; Body: PluginBody }>(
    "/plugins/portables/:name",
    { schema: { body: pluginBody(false) } },
    async (req, reply) => {
      const { name } = req.params;
      try {
        if (req.body.name !== undefined && req.body.name.trim() !== name) {
          throw new HostError(
            "PORTABLE_E_BAD_REQUEST",
            `body names plugin ${req.body.name} but the path names ${name}`,
            { plugin: name },
          );
        }
        await checkUri(req.body.file);
        await registry.update(name, req.body.file, shellParas(req.body));
      } catch (err) {
        return sendError(reply, err, "portable plugin update command error");
      }
      return sendText(reply, 200, `portable plugin ${name} is updated`);
    },
  );

  app.delete<{ Params: { name: string } }>("/plugins/portables/:name", async (req, reply) => {
    const { name } = req.params;
    try {
      await registry.uninstall(name);
    } catch (err) {
      return sendError(reply, err, `delete portable plugin ${name} error`);
    }
    return sendText(reply, 200, `portable plugin ${name} is deleted`);
  });

  app.get<{ Params: { name: string } }>("/plugins/portables/:name/status", async (req, reply) => {
    const { name } = req.params;
    const rt = runtime ?? registry.runtime;
    const status = rt.status?.(name) ?? (registry.find(name) ? stoppedStatus() : undefined);
    if (!status) return sendError(reply, notFound(), `portable plugin ${name} not found`);
    return reply.type("application/json").send(PluginStatus.encodeToString(status));
  });

  // Symbol metadata, modeled on the reference's /metadata routes but served as-is.
  app.get<{ Params: { kind: string; symbol: string } }>(
    "/metadata/:kind/:symbol",
    async (req, reply) => {
      const kind = KINDS[req.params.kind];
      const prefix = `describe ${req.params.kind} ${req.params.symbol} error`;
      if (!kind) return sendError(reply, notFound(), prefix);
      let description: JsonValue | undefined;
      try {
        description = await registry.description(kind, req.params.symbol);
      } catch (err) {
        return sendError(reply, err, prefix);
      }
      if (description === undefined) return sendError(reply, notFound(), prefix);
      return reply.type("application/json").send(JSON.stringify(description));
    },
  );

  app.get<{ Params: { symbol: string } }>("/metadata/sources/yaml/:symbol", async (req, reply) => {
    try {
      return reply.send(await registry.sourceConfigSet(req.params.symbol));
    } catch (err) {
      return sendError(reply, err, `source ${req.params.symbol} configuration error`);
    }
  });

  await app.listen({ host, port: opts.port ?? 9081 });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 9081);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () => app.close(),
  };
}
