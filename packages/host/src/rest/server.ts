// The eKuiper-compatible REST API for portable plugins (paths, bodies, texts
// and error shape of the reference host on port 9081), on fastify: bodies are
// checked against JSON schemas before a handler runs; every refusal (bad
// Host, cross-site, wrong method, unknown path, malformed request) answers in
// the API's error shape; a change whose client went away is cancelled.

import { type JsonValue, kindOfSymbolList, PluginStatus } from "@portable-plugins/protocol";
import Fastify, { type FastifyError } from "fastify";
import { HostError } from "../errors.js";
import { toPluginInfo } from "../install/plugin.js";
import type { Registry } from "../install/registry.js";
import { type PluginRuntime, stoppedStatus } from "../runtime.js";
import { bearerMatches, isLoopbackHost } from "./auth.js";
import { refuseCrossSite, refuseHost } from "./guard.js";
import { RouteTable } from "./methods.js";
import { checkUri, clientGone, notFound, rawBadRequest, sendError, sendText } from "./replies.js";
import { registerSymbolRoutes, type SymbolRunner } from "./symbols.js";

export interface RestServerOptions {
  /** Address to listen on (default 127.0.0.1). Anything but loopback needs `token`. */
  readonly host?: string;
  /** Port (default 9081, the reference's; 0 picks a free one). */
  readonly port?: number;
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  /**
   * Host names served besides loopback ones when there is no token (e.g. a
   * name of this machine in /etc/hosts). Without a token any other `Host` is
   * refused (DNS-rebinding defence); with a token every name is served.
   */
  readonly allowedHosts?: readonly string[] | undefined;
  /**
   * Runs symbols for the routes that try them by hand (POST
   * /functions/{name}/exec, GET /sources/{name}/rows; see symbols.ts). A
   * PortableHost is one. Without it those routes are not served.
   */
  readonly symbols?: SymbolRunner | undefined;
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

const shellParas = (body: PluginBody) => (body.shellParas ? { shellParas: body.shellParas } : {});

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
  const allowedHosts = new Set((opts.allowedHosts ?? []).map((h) => h.trim().toLowerCase()));
  const app = Fastify({
    logger: false,
    bodyLimit: 1024 * 1024,
    forceCloseConnections: true,
    frameworkErrors: (err, _req, reply) => {
      const bad = new HostError("PORTABLE_E_BAD_REQUEST", err.message, { cause: err });
      void sendError(reply, bad, "bad request", 400);
    },
    clientErrorHandler: (err, socket) => {
      // Answer only when no answer was started on this connection (as Node's own handler).
      const current = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
      const answering = current?.headersSent === true;
      if (
        socket.writable &&
        !answering &&
        !(err as NodeJS.ErrnoException).code?.startsWith("ECONN")
      ) {
        socket.end(rawBadRequest(`malformed HTTP request: ${err.message}`));
      } else {
        socket.destroy();
      }
    },
  });
  // An empty JSON body is no body (a DELETE from curl with a JSON content type).
  const json = app.getDefaultJsonParser("error", "error");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (req, body, done) => {
    const text = body.toString();
    if (text === "") return done(null, undefined);
    json(req, text, done);
  });
  const routes = new RouteTable();
  app.addHook("onRoute", (route) =>
    routes.add(route.url, route.method, route.exposeHeadRoute !== false),
  );

  app.addHook("onRequest", async (req, reply) => {
    const badHost = token ? undefined : refuseHost(req.headers.host, allowedHosts);
    const why = badHost ?? refuseCrossSite(req.method, req.headers);
    if (why) return sendError(reply, new HostError("PORTABLE_E_FORBIDDEN", why), "");
  });

  if (token) {
    app.addHook("onRequest", async (req, reply) => {
      if (reply.sent) return;
      if (!bearerMatches(req.headers.authorization, token)) {
        return sendError(
          reply,
          new HostError("PORTABLE_E_UNAUTHORIZED", "missing or invalid bearer token"),
          "",
        );
      }
    });
  }

  app.setNotFoundHandler((req, reply) => {
    const allow = routes.allowed(req.url);
    if (allow.length === 0) return sendError(reply, notFound(), `${req.method} ${req.url}`);
    const err = new HostError(
      "PORTABLE_E_METHOD",
      `method ${req.method} is not allowed on ${req.url.split("?")[0]}; allowed: ${allow.join(", ")}`,
    );
    return sendError(reply.header("allow", allow.join(", ")), err, "");
  });

  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err.validation || (err.statusCode !== undefined && err.statusCode < 500)) {
      const bad = new HostError("PORTABLE_E_BAD_REQUEST", err.message, { cause: err });
      // 413 (too large), 415 (not JSON) keep their status; the rest is a 400.
      const status = err.statusCode === 413 || err.statusCode === 415 ? err.statusCode : 400;
      return sendError(reply, bad, "Invalid body: Error decoding the portable plugin json", status);
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
      const signal = clientGone(req, reply);
      try {
        await checkUri(req.body.file);
        await registry.install(name, req.body.file, { ...shellParas(req.body), signal });
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
      const signal = clientGone(req, reply);
      try {
        if (req.body.name !== undefined && req.body.name.trim() !== name) {
          throw new HostError(
            "PORTABLE_E_BAD_REQUEST",
            `body names plugin ${req.body.name} but the path names ${name}`,
            { plugin: name },
          );
        }
        await checkUri(req.body.file);
        await registry.update(name, req.body.file, { ...shellParas(req.body), signal });
      } catch (err) {
        return sendError(reply, err, "portable plugin update command error");
      }
      return sendText(reply, 200, `portable plugin ${name} is updated`);
    },
  );

  app.delete<{ Params: { name: string } }>("/plugins/portables/:name", async (req, reply) => {
    const { name } = req.params;
    try {
      await registry.uninstall(name, { signal: clientGone(req, reply) });
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
      const kind = kindOfSymbolList(req.params.kind);
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

  if (opts.symbols) registerSymbolRoutes(app, opts.symbols);

  try {
    await app.listen({ host, port: opts.port ?? 9081 });
  } catch (err) {
    await app.close().catch(() => undefined);
    const e = err as NodeJS.ErrnoException;
    const why =
      e.code === "EADDRINUSE"
        ? "the address is already in use (another server on this port?)"
        : e.code === "EACCES"
          ? "permission denied"
          : e.message;
    throw new HostError(
      "PORTABLE_E_SERVER",
      `cannot listen on ${host}:${opts.port ?? 9081}: ${why}`,
      { cause: err },
    );
  }
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 9081);
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: () => app.close(),
  };
}
