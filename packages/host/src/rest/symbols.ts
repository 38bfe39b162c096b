// REST routes to try symbols by hand (`portable exec`, `portable tail`): call
// a function once with a JSON array of arguments, and stream a source's rows
// as NDJSON until a row count is reached or the client leaves; the source
// instance is stopped either way, so nothing is left running. Not part of
// the reference API; served when the REST server is given a SymbolRunner
// (a PortableHost), under the same Host, cross-site and token rules.

import { isJsonObject, type JsonObject, type JsonValue } from "@portable-plugins/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HostError } from "../errors.js";
import type { FunctionProxy } from "../run/proxies/function.js";
import type { InstanceMeta } from "../run/proxies/instance.js";
import type { SourceOptions, SourceProxy } from "../run/proxies/source.js";
import { refuseCrossSite } from "./guard.js";
import { sendError } from "./replies.js";

/** What the routes need from the host: PortableHost is one. */
export interface SymbolRunner {
  function(symbol: string): Promise<FunctionProxy>;
  source(symbol: string, meta: InstanceMeta, opts?: SourceOptions): Promise<SourceProxy>;
}

/** The rule id of the instances these routes start: shows in the plugin's `refCount`. */
export const TRY_RULE_ID = "portable-try";

const bad = (message: string, symbol: string) =>
  new HostError("PORTABLE_E_BAD_REQUEST", message, { symbol });

interface TailQuery {
  props?: string;
  count?: string;
  confKey?: string;
  dataSource?: string;
}

/** Parses the tail query: properties (a JSON object), row count (an integer >= 1). */
function tailOptions(symbol: string, q: TailQuery): { config: JsonObject; count: number } {
  let config: JsonObject = {};
  if (q.props !== undefined && q.props !== "") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(q.props);
    } catch (err) {
      throw bad(`props is not JSON: ${(err as Error).message}`, symbol);
    }
    if (!isJsonObject(parsed as JsonValue)) throw bad("props must be a JSON object", symbol);
    config = parsed as JsonObject;
  }
  let count = Number.POSITIVE_INFINITY;
  if (q.count !== undefined) {
    count = Number(q.count);
    if (q.count.trim() === "" || !Number.isSafeInteger(count) || count < 1) {
      throw bad(`count must be an integer >= 1, got ${JSON.stringify(q.count)}`, symbol);
    }
  }
  return { config, count };
}

/** Writes one NDJSON line; resolves when the socket can take more (back-pressure). */
function writeLine(reply: FastifyReply, value: JsonValue): Promise<void> {
  const raw = reply.raw;
  if (raw.destroyed || raw.write(`${JSON.stringify(value)}\n`)) return Promise.resolve();
  return new Promise((done) => {
    const go = () => {
      raw.off("drain", go);
      raw.off("close", go);
      done();
    };
    raw.on("drain", go);
    raw.on("close", go);
  });
}

export function registerSymbolRoutes(app: FastifyInstance, runner: SymbolRunner): void {
  let tails = 0;

  app.post<{ Params: { name: string }; Body: unknown }>(
    "/functions/:name/exec",
    {
      // A body fastify cannot parse: said in this route's terms.
      errorHandler: (err, req, reply) => {
        const { name } = req.params as { name: string };
        const status = err.statusCode === 413 || err.statusCode === 415 ? err.statusCode : 400;
        const why = err.statusCode === 415 ? err.message : `the body is not JSON: ${err.message}`;
        return sendError(reply, bad(why, name), `exec function ${name} error`, status);
      },
    },
    async (req, reply) => {
      const { name } = req.params;
      const prefix = `exec function ${name} error`;
      const args = req.body;
      if (!Array.isArray(args)) {
        const err = bad(
          'the body must be a JSON array of the arguments, e.g. ["hello"] (got ' +
            `${args === undefined ? "no body" : typeof args})`,
          name,
        );
        return sendError(reply, err, prefix);
      }
      let proxy: FunctionProxy | undefined;
      try {
        proxy = await runner.function(name);
        // As a rule does: Validate when it is created, then Exec per row.
        await proxy.validate(args as JsonValue[]);
        const result = await proxy.exec(args as JsonValue[], { ruleId: TRY_RULE_ID, opId: "exec" });
        return reply.type("application/json").send(JSON.stringify({ result }));
      } catch (err) {
        return sendError(reply, err, prefix);
      } finally {
        await proxy?.close();
      }
    },
  );

  app.get<{ Params: { name: string }; Querystring: TailQuery }>(
    "/sources/:name/rows",
    // A HEAD would start an instance too, for nothing.
    { exposeHeadRoute: false },
    async (req: FastifyRequest<{ Params: { name: string }; Querystring: TailQuery }>, reply) => {
      const { name } = req.params;
      const prefix = `tail source ${name} error`;
      // It starts an instance: refused cross-site as a state change is, though a GET.
      const crossSite = refuseCrossSite("POST", req.headers);
      if (crossSite) {
        const why = crossSite.replace("cross-site POST", `cross-site GET ${req.url.split("?")[0]}`);
        return sendError(reply, new HostError("PORTABLE_E_FORBIDDEN", why), "");
      }
      let source: SourceProxy | undefined;
      let count: number;
      // Error items of the plugin: kept until the stream starts, then written as they come.
      const errors: HostError[] = [];
      let streaming = false;
      // The client may leave at any time, even while the source starts.
      let gone = false;
      reply.raw.once("close", () => {
        gone = true;
        void source?.close();
      });
      const onError = (e: HostError) => {
        if (!streaming) errors.push(e);
        else if (!gone) reply.raw.write(`${JSON.stringify({ error: e.message })}\n`);
      };
      try {
        const o = tailOptions(name, req.query);
        count = o.count;
        source = await runner.source(
          name,
          { ruleId: TRY_RULE_ID, opId: `tail${++tails}`, instanceId: 0 },
          {
            config: o.config,
            ...(req.query.confKey ? { confKey: req.query.confKey } : {}),
            ...(req.query.dataSource ? { dataSource: req.query.dataSource } : {}),
            onError,
          },
        );
      } catch (err) {
        return sendError(reply, err, prefix);
      }
      // The instance runs: from here the answer is a stream this route writes itself.
      reply.hijack();
      const raw = reply.raw;
      if (gone || raw.destroyed) {
        await source.close();
        return;
      }
      raw.writeHead(200, {
        "content-type": "application/x-ndjson; charset=utf-8",
        "cache-control": "no-store",
      });
      // The client learns at once that the instance runs, before any row.
      raw.flushHeaders();
      streaming = true;
      try {
        for (const e of errors.splice(0)) await writeLine(reply, { error: e.message });
        let sent = 0;
        for await (const row of source) {
          if (gone) break;
          await writeLine(reply, { message: row.message, meta: row.meta });
          if (++sent >= count) break;
        }
      } catch (err) {
        // The instance is gone for good (replay failed, the plugin gave up restarting).
        if (!gone) await writeLine(reply, { error: (err as Error).message, fatal: true });
      } finally {
        await source.close();
        if (!gone) raw.end();
      }
    },
  );
}
