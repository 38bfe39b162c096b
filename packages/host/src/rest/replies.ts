// Answers of the REST server: the error shape for every refusal, plain-text
// successes, the raw 400 for requests too broken to reach fastify, the check
// of a package URL, and the signal that fires when a client goes away.

import { stat } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HostError } from "../errors.js";
import { errorResponse } from "./errors.js";

/**
 * A URL of a zip (PROTOCOL.md §6.7): the file is read by the server, not sent.
 * Our one extension: a `file://` URL may name a plugin folder.
 */
export async function checkUri(file: string): Promise<void> {
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

export function sendError(
  reply: FastifyReply,
  err: unknown,
  prefix: string,
  statusOverride?: number,
): FastifyReply {
  const { status, body } = errorResponse(err, prefix);
  return reply
    .code(statusOverride ?? status)
    .type("application/json")
    .send(body);
}

/** Fires when the client's connection closes before the answer was sent. */
export function clientGone(req: FastifyRequest, reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  const gone = () => {
    if (!reply.raw.writableFinished) {
      controller.abort(new Error(`the client of ${req.method} ${req.url} went away`));
    }
  };
  reply.raw.once("close", gone);
  return controller.signal;
}

/** The raw answer to a request too malformed to reach fastify (bad request line, headers). */
export function rawBadRequest(message: string): string {
  const body = JSON.stringify({ error: 1000, message, code: "PORTABLE_E_BAD_REQUEST" });
  return (
    "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n" +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`
  );
}

export function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).type("text/plain; charset=utf-8").send(text);
}

export const notFound = () => new HostError("PORTABLE_E_NOT_FOUND", "not found");
