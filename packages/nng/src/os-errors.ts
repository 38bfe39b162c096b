// Maps errors thrown by node:net / node:fs (errno strings such as ECONNREFUSED) to NngError codes,
// in one place, so every dial and listen reports the same code for the same OS condition.
import { NngError, type NngErrorCode } from "./errors.js";

/** The errno string of a Node system error, if it is one. */
export function errnoOf(err: unknown): string | undefined {
  if (typeof err === "object" && err !== null && "code" in err) {
    const code = (err as { code: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/** Listen failures that mean "this address cannot be used as written", not "it is taken". */
const LISTEN_BAD_ADDRESS = new Set([
  "EADDRNOTAVAIL",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EAI_FAIL",
  "EAI_NONAME",
  "ENAMETOOLONG",
  "ENOENT",
  "ENOTDIR",
  "EACCES",
  "EPERM",
  "EINVAL",
  "EAFNOSUPPORT",
]);

/**
 * Turns an OS error from a dial or listen into an NngError. Dials always report
 * PORTABLE_E_CONNECT (refused, missing ipc file, unreachable, DNS failure): callers retry
 * all of them the same way. Listens split "in use" from "cannot bind this at all".
 */
export function mapOsError(
  err: unknown,
  op: "dial" | "listen",
  url: string,
  socket: string | undefined,
): NngError {
  if (err instanceof NngError) return err.withContext(url, socket);
  const errno = errnoOf(err) ?? "unknown";
  const detail = err instanceof Error ? err.message : String(err);
  let code: NngErrorCode;
  let message: string;
  if (op === "dial") {
    code = "PORTABLE_E_CONNECT";
    message = `cannot connect to ${url}: ${describe(errno, detail)}`;
  } else if (errno === "EADDRINUSE") {
    code = "PORTABLE_E_ADDR_IN_USE";
    message = `cannot listen on ${url}: address already in use`;
  } else {
    code = LISTEN_BAD_ADDRESS.has(errno) ? "PORTABLE_E_BAD_URL" : "PORTABLE_E_ADDR_IN_USE";
    message = `cannot listen on ${url}: ${describe(errno, detail)}`;
  }
  return new NngError(code, message, {
    url,
    ...(socket !== undefined && { socket }),
    cause: err,
  });
}

function describe(errno: string, detail: string): string {
  switch (errno) {
    case "ECONNREFUSED":
      return "connection refused (nothing is listening)";
    case "ENOENT":
      return "no such file (nothing is listening on this ipc path)";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ETIMEDOUT":
      return "timed out";
    default:
      return detail;
  }
}

/** Errors that are just "the peer went away": a pipe closing for one of these is not an error. */
export function isOrdinaryDisconnect(err: unknown): boolean {
  const errno = errnoOf(err);
  return errno === "ECONNRESET" || errno === "EPIPE" || errno === "ECONNABORTED";
}
