// The debug server's HTTP side (PROTOCOL.md §7.3), as the reference's test
// server answers: POST /symbol/start and /symbol/stop with a Control body
// (at most 1 MiB), 200 `ok` or 400 with a text; 404 and 405 otherwise.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Control } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { HostLogger } from "../logger.js";

const MAX_BODY = 1024 * 1024;

/** A 400 answer with a text, as the reference's http.Error. */
export class Refusal extends Error {}

export type SymbolAction = "start" | "stop";

/** Listens on `host:port`; resolves with the server and its `http://<host>:<port>`. */
export async function listenHttp(
  host: string,
  port: number,
): Promise<{ http: Server; url: string }> {
  const http = createServer();
  try {
    const url = await new Promise<string>((resolve, reject) => {
      http.once("error", reject);
      http.listen(port, host, () => {
        http.off("error", reject);
        const a = http.address() as AddressInfo;
        const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
        resolve(`http://${host}:${a.port}`);
      });
    });
    return { http, url };
  } catch (err) {
    throw new HostError(
      "PORTABLE_E_SERVER",
      `cannot listen on ${host}:${port}: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}

/** Answers one request: the action's handler runs on the decoded Control; a throw is a 400. */
export async function serveSymbolApi(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (action: SymbolAction, control: Control) => Promise<void>,
  logger: HostLogger,
): Promise<void> {
  const reply = (status: number, body: string) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(body);
  };
  const path = (req.url ?? "").split("?")[0];
  const action = path === "/symbol/start" ? "start" : path === "/symbol/stop" ? "stop" : "";
  if (!action) return reply(404, "404 page not found\n");
  if (req.method !== "POST") return reply(405, "method not allowed\n");
  try {
    const control = await readControl(req);
    await handle(action, control);
    reply(200, "ok");
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (!(err instanceof Refusal)) logger.warn(`debug: ${action}: ${message}`);
    reply(400, `${message}\n`);
  }
}

async function readControl(req: IncomingMessage): Promise<Control> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Refusal(`Invalid body: more than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return Control.decode(Buffer.concat(chunks));
  } catch (err) {
    throw new Refusal(`Invalid body: decode error ${(err as Error).message}`);
  }
}
