// Parses the SP URL forms this package speaks: ipc://<path> and tcp://<host>:<port>. Validation
// happens here, before any socket exists, so a bad URL is always PORTABLE_E_BAD_URL.
import { isIP } from "node:net";
import { NngError } from "./errors.js";

export type Address =
  | { readonly transport: "ipc"; readonly url: string; readonly path: string }
  | {
      readonly transport: "tcp";
      readonly url: string;
      /** undefined = all interfaces (listen on `*` or an empty host). */
      readonly host: string | undefined;
      readonly port: number;
    };

/**
 * sun_path holds 108 bytes on Linux (104 on macOS) including the terminating NUL. Longer paths
 * would be silently truncated by some stacks, so refuse them with a clear error instead.
 */
export const IPC_PATH_MAX_BYTES = process.platform === "darwin" ? 103 : 107;

export function parseUrl(url: string, purpose: "dial" | "listen", socket?: string): Address {
  const bad = (why: string) =>
    new NngError("PORTABLE_E_BAD_URL", `invalid URL ${JSON.stringify(url)}: ${why}`, {
      url,
      ...(socket !== undefined && { socket }),
    });
  const sep = url.indexOf("://");
  if (sep < 0) throw bad("expected ipc://<path> or tcp://<host>:<port>");
  const scheme = url.slice(0, sep).toLowerCase();
  const rest = url.slice(sep + 3);
  if (scheme === "ipc") return parseIpc(url, rest, bad);
  if (scheme === "tcp") return parseTcp(url, rest, purpose, bad);
  throw bad(`unsupported scheme "${scheme}" (supported: ipc, tcp)`);
}

function parseIpc(url: string, rest: string, bad: (why: string) => NngError): Address {
  if (rest === "") throw bad("empty ipc path");
  if (rest.includes("\0")) throw bad("ipc path contains a NUL byte");
  if (process.platform === "win32") {
    // NNG and mangos map ipc://NAME to the named pipe \\.\pipe\NAME on Windows.
    return { transport: "ipc", url, path: `\\\\.\\pipe\\${rest}` };
  }
  const bytes = Buffer.byteLength(rest, "utf8");
  if (bytes > IPC_PATH_MAX_BYTES) {
    throw bad(
      `ipc path is ${bytes} bytes; Unix socket paths are limited to ${IPC_PATH_MAX_BYTES} bytes ` +
        "on this platform (use a shorter directory, e.g. under /tmp)",
    );
  }
  return { transport: "ipc", url, path: rest };
}

function parseTcp(
  url: string,
  rest: string,
  purpose: "dial" | "listen",
  bad: (why: string) => NngError,
): Address {
  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0 || rest[close + 1] !== ":") throw bad("expected [ipv6]:port");
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    if (isIP(host) !== 6) throw bad(`"${host}" is not an IPv6 address`);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon < 0) throw bad("missing :port");
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(":")) throw bad("IPv6 addresses must be written in brackets: [::1]:port");
    if (host.includes("/")) throw bad("unexpected path after host");
  }
  if (!/^\d{1,5}$/.test(portText)) throw bad(`port "${portText}" is not a number`);
  const port = Number(portText);
  if (port > 65535) throw bad(`port ${port} is out of range`);
  const wildcard = host === "" || host === "*";
  if (purpose === "dial") {
    if (wildcard) throw bad("a dial needs a host");
    if (port === 0) throw bad("a dial needs a port other than 0");
  }
  return { transport: "tcp", url, host: wildcard ? undefined : host, port };
}

/** The URL a tcp listener is actually reachable at (resolves port 0 and IPv6 brackets). */
export function formatTcpUrl(host: string, port: number): string {
  return isIP(host) === 6 ? `tcp://[${host}]:${port}` : `tcp://${host}:${port}`;
}
