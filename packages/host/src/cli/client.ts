// The CLI's side of the REST API: one request, its text, and the reference's
// error body turned into a message; or a stream of NDJSON lines. The CLI
// never touches plugin files itself, so the server (and its supervisor) sees
// every change. An unreachable server comes with how to start one.

export interface ClientOptions {
  /** Base URL of the server, e.g. http://127.0.0.1:9081. */
  readonly server: string;
  readonly token?: string | undefined;
}

export interface Reply {
  readonly status: number;
  readonly text: string;
}

/** Thrown for a non-2xx reply; `message` is the server's message, `hint` what to do (CLI's). */
export class RequestFailed extends Error {
  hint: string | undefined;
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Thrown when the server cannot be reached at all; `hint` says how to start one. */
export class ServerUnreachable extends Error {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** How to get a server at `server`: `portable serve` with its port, or --server. */
export function startServerHint(server: string): string {
  let port = "";
  try {
    const url = new URL(server);
    if (url.port !== "" && url.port !== "9081") port = ` --port ${url.port}`;
  } catch {
    // Not a URL: the plain command.
  }
  return (
    `is \`portable serve\` running? Start it in another terminal: portable serve --data-dir data${port}` +
    " (it serves the plugins under data/ until Ctrl-C), or point --server (or PORTABLE_SERVER) at a running one"
  );
}

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
    throw new ServerUnreachable(
      `cannot reach ${opts.server}: ${cause}`,
      startServerHint(opts.server),
    );
  }
  const text = await res.text();
  if (res.ok) return { status: res.status, text };
  throw failure(res.status, text);
}

/** The error of a non-2xx reply, from the API's error shape when it is one. */
function failure(status: number, text: string): RequestFailed {
  let message = text || `HTTP ${status}`;
  let code: string | undefined;
  try {
    const parsed = JSON.parse(text) as { message?: string; code?: string };
    if (typeof parsed.message === "string") message = parsed.message;
    if (typeof parsed.code === "string") code = parsed.code;
  } catch {
    // Not the JSON error shape: keep the text.
  }
  return new RequestFailed(message, status, code);
}

/**
 * GET `path` and hand each NDJSON line of the answer to `onLine` as it comes,
 * until the server ends it or `signal` aborts (which closes the connection:
 * the server then stops what it streamed).
 */
export async function streamLines(
  opts: ClientOptions,
  path: string,
  onLine: (line: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const headers: Record<string, string> = {};
  if (opts.token) headers["authorization"] = `Bearer ${opts.token}`;
  let res: Response;
  try {
    res = await fetch(new URL(path, opts.server), { headers, signal });
  } catch (err) {
    if (signal.aborted) return;
    const cause =
      (err as { cause?: { message?: string } }).cause?.message ?? (err as Error).message;
    throw new ServerUnreachable(
      `cannot reach ${opts.server}: ${cause}`,
      startServerHint(opts.server),
    );
  }
  if (!res.ok) throw failure(res.status, await res.text());
  if (!res.body) return;
  const decoder = new TextDecoder();
  let pending = "";
  try {
    for await (const chunk of res.body) {
      pending += decoder.decode(chunk as Uint8Array, { stream: true });
      let nl = pending.indexOf("\n");
      while (nl >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line !== "") onLine(line);
        nl = pending.indexOf("\n");
      }
    }
  } catch (err) {
    if (!signal.aborted) throw err;
  }
}
