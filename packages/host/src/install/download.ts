// Where a package comes from: a local zip or folder path, a `file://` URL, or
// an `http(s)://` URL fetched with a timeout and a size limit into a temporary
// file beside the plugins (removed by `cleanup`).

import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { HostError } from "../errors.js";

export type FetchFn = (input: string, init?: { signal?: AbortSignal }) => Promise<Response>;

export interface DownloadOptions {
  /** Injected for tests or proxies; defaults to the global fetch. */
  readonly fetch?: FetchFn | undefined;
  /** Whole download (headers and body), in ms. */
  readonly timeoutMs: number;
  /** Largest package accepted, in bytes. */
  readonly maxBytes: number;
  /** Folder for the temporary file (beside the plugins, so a rename never crosses devices). */
  readonly tmpDir: string;
  /** Aborts the download (client gone, host stopping). */
  readonly signal?: AbortSignal | undefined;
}

export interface PackageSource {
  readonly kind: "zip" | "dir";
  /** Local path of the zip or folder. */
  readonly path: string;
  /** Removes the temporary download, if any. Safe to call more than once. */
  cleanup(): Promise<void>;
}

const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;
const noop = async () => {};

function downloadError(message: string, url: string, cause?: unknown): HostError {
  return new HostError("PORTABLE_E_DOWNLOAD", message, {
    url,
    ...(cause === undefined ? {} : { cause }),
  });
}

async function local(path: string, url: string): Promise<PackageSource> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch (cause) {
    throw downloadError(`cannot read package ${path}: ${(cause as Error).message}`, url, cause);
  }
  if (info.isDirectory()) return { kind: "dir", path, cleanup: noop };
  if (info.isFile()) return { kind: "zip", path, cleanup: noop };
  throw downloadError(`package ${path} is neither a file nor a folder`, url);
}

class SizeLimit extends Transform {
  #bytes = 0;
  constructor(
    private readonly max: number,
    private readonly url: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.#bytes += chunk.length;
    if (this.#bytes > this.max)
      done(
        downloadError(`fail to download file ${this.url}: larger than ${this.max} bytes`, this.url),
      );
    else done(null, chunk);
  }
}

async function fetchToFile(url: string, opts: DownloadOptions): Promise<PackageSource> {
  const file = join(opts.tmpDir, `.download-${randomBytes(6).toString("hex")}.zip`);
  const cleanup = () => rm(file, { force: true });
  const doFetch: FetchFn = opts.fetch ?? ((input, init) => fetch(input, init));
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    const res = await doFetch(url, { signal });
    if (!res.ok) {
      await res.body?.cancel();
      throw downloadError(
        `fail to download file ${url}: HTTP ${res.status} ${res.statusText}`.trim(),
        url,
      );
    }
    const declared = Number(res.headers.get("content-length") ?? "NaN");
    if (declared > opts.maxBytes) {
      await res.body?.cancel();
      throw downloadError(
        `fail to download file ${url}: ${declared} bytes, more than ${opts.maxBytes}`,
        url,
      );
    }
    if (!res.body) throw downloadError(`fail to download file ${url}: empty response`, url);
    await pipeline(
      Readable.fromWeb(res.body as import("node:stream/web").ReadableStream<Uint8Array>),
      new SizeLimit(opts.maxBytes, url),
      createWriteStream(file, { flags: "wx", mode: 0o600 }),
    );
    return { kind: "zip", path: file, cleanup };
  } catch (err) {
    await cleanup();
    if (HostError.is(err)) throw err;
    const detail = opts.signal?.aborted
      ? `stopped: ${opts.signal.reason instanceof Error ? opts.signal.reason.message : String(opts.signal.reason)}`
      : timeout.aborted
        ? `timed out after ${opts.timeoutMs} ms`
        : (err as Error).message;
    throw downloadError(`fail to download file ${url}: ${detail}`, url, err);
  }
}

/** Resolves `from` (path, file:// or http(s):// URL) to a local zip or folder. */
export async function openPackageSource(
  from: string,
  opts: DownloadOptions,
): Promise<PackageSource> {
  if (!URL_LIKE.test(from)) return local(resolve(from), from);
  let url: URL;
  try {
    url = new URL(from);
  } catch (cause) {
    throw downloadError(`invalid uri ${from}`, from, cause);
  }
  switch (url.protocol) {
    case "file:":
      if (url.host !== "" && url.host !== "localhost") {
        throw downloadError(`invalid uri ${from}: a file URL must not name a remote host`, from);
      }
      return local(fileURLToPath(url), from);
    case "http:":
    case "https:":
      return fetchToFile(url.href, opts);
    default:
      throw downloadError(`invalid uri ${from}: use a path, file://, http:// or https://`, from);
  }
}
