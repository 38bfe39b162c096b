// The CLI's side of the REST API: one request, its text, and the reference's
// error body turned into a message. The CLI never touches plugin files
// itself, so the server (and its supervisor) sees every change.

export interface ClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:9081. */
  readonly server: string;
  readonly token?: string | undefined;
}

export interface Reply {
  readonly status: number;
  readonly text: string;
}

/** Thrown for a non-2xx reply; `message` is the server's message. */
export class RequestFailed extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Thrown when the server cannot be reached at all. */
export class ServerUnreachable extends Error {}

export async function request(
  opts: ClientOptions,
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (opts.token) headers["authorization"] = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.server), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (err) {
    const cause =
      (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new ServerUnreachable(`cannot reach ${opts.server}: ${cause}`);
  }
  const text = await res.text();
  if (res.ok) return { status: res.status, text };
  let message = text || `HTTP ${res.status}`;
  let code: string | undefined;
  try {
    const parsed = JSON.parse(text) as { message?: string; code?: string };
    if (typeof parsed.message === "string") message = parsed.message;
    if (typeof parsed.code === "string") code = parsed.code;
  } catch {
    // Not the JSON error shape: keep the text.
  }
  throw new RequestFailed(message, res.status, code);
}
