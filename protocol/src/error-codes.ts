// The one closed list of error codes of the package family (PROTOCOL.md §9.5). Every package's
// error class keeps its own class, but the `code` it carries is one of these: each package
// declares its codes as an array checked against this list (`satisfies readonly ErrorCode[]`),
// and its tests prove the array is exactly the codes the list says that layer raises.
// A code means one thing wherever it is raised; adding one is a change to this file first.
// The file scan those tests share (no unknown code in a package) is error-code-scan.ts.

/** The layers (packages) that raise error codes. */
export const ERROR_LAYERS = ["protocol", "nng", "package", "host", "sdk", "conformance"] as const;
export type ErrorLayer = (typeof ERROR_LAYERS)[number];

export interface ErrorCodeInfo {
  /** What the code means, whoever raises it (Markdown, one line: PROTOCOL.md §9.5 shows it). */
  readonly meaning: string;
  /** The layers whose error class carries it. */
  readonly layers: readonly ErrorLayer[];
}

/** Every error code of the family, in the order of PROTOCOL.md §9.5. */
export const ERROR_CODES = {
  PORTABLE_E_DECODE: {
    meaning: "bytes are not a valid message of the expected kind (§9.2)",
    layers: ["protocol"],
  },
  PORTABLE_E_ENCODE: {
    meaning: "a value cannot be written as the expected message: NaN, ±Infinity, a cycle (§9.2)",
    layers: ["protocol"],
  },
  PORTABLE_E_LIMIT: {
    meaning:
      "a version-2 message exceeds a limit of §12.2: calls or rows per message, bytes per message",
    layers: ["protocol"],
  },
  PORTABLE_E_MISMATCH: {
    meaning:
      "a version-2 reply batch or ack does not match what was sent: a call id missing, unknown or repeated, an ack for a sequence number not sent or already acked (§12.3, §12.5)",
    layers: ["protocol"],
  },
  PORTABLE_E_TIMEOUT: {
    meaning:
      "a deadline expired: a socket's `sendTimeout`, `recvTimeout` or `connected(timeout)` (nng); a command, call, ack or send that got no answer in time (host, §5.4)",
    layers: ["nng", "host"],
  },
  PORTABLE_E_CLOSED: {
    meaning:
      "the object is closed, or was closed while the operation waited: a socket or listener (nng); a proxy or the host (host)",
    layers: ["nng", "host"],
  },
  PORTABLE_E_CANCELLED: {
    meaning:
      "the operation was cancelled before it completed and had no effect: a REQ request superseded by a newer send, whose receive fails (nng); an install, update or uninstall whose signal fired: client gone, host stopping (host)",
    layers: ["nng", "host"],
  },
  PORTABLE_E_PROTO_STATE: {
    meaning:
      "the operation is not valid in the socket's state: REQ receive with no request, REP send with no request, PUSH receive, PULL send",
    layers: ["nng"],
  },
  PORTABLE_E_PEER_PROTOCOL: {
    meaning: "the peer speaks an incompatible SP protocol, e.g. REQ dialing a PULL (§2.1)",
    layers: ["nng"],
  },
  PORTABLE_E_PROTOCOL: {
    meaning:
      "the peer broke the SP wire format: bad connection header, no header in time, bad frame type, a request or reply without a request id (§2)",
    layers: ["nng"],
  },
  PORTABLE_E_MSG_TOO_LARGE: {
    meaning: "a frame is longer than `recvMaxSize` or the hard cap (§2.5)",
    layers: ["nng"],
  },
  PORTABLE_E_ADDR_IN_USE: {
    meaning: "something already listens at the address or ipc path",
    layers: ["nng"],
  },
  PORTABLE_E_CONNECT: {
    meaning: "a dial failed: refused, unreachable, no ipc file, closed during the header exchange",
    layers: ["nng"],
  },
  PORTABLE_E_BAD_URL: {
    meaning: "a URL is malformed, has an unknown scheme, or names an address that cannot be bound",
    layers: ["nng"],
  },
  PORTABLE_E_INSTALL: {
    meaning: "an install, update or uninstall failed on the file system",
    layers: ["package", "host"],
  },
  PORTABLE_E_NAME: {
    meaning: "a plugin name is empty, unsafe, or too long for its control socket path (§2.5)",
    layers: ["package", "host"],
  },
  PORTABLE_E_MANIFEST: {
    meaning: "`<name>.json` is missing, misnamed, not JSON, or has an invalid field (§6.2)",
    layers: ["package", "host"],
  },
  PORTABLE_E_MISSING_FILE: {
    meaning:
      "a file the manifest requires (the executable, `sources/<s>.yaml`) is not in the package (§6.1)",
    layers: ["package", "host"],
  },
  PORTABLE_E_ZIP: {
    meaning:
      "the archive is corrupt or holds an unsafe entry: escaping path, symlink escape, duplicate (§6.7)",
    layers: ["package", "host"],
  },
  PORTABLE_E_ZIP_LIMIT: {
    meaning: "the archive exceeds a size or entry-count limit (zip bomb)",
    layers: ["package", "host"],
  },
  PORTABLE_E_CONFLICT: {
    meaning: "the plugin, or one of its symbols, is already installed",
    layers: ["host"],
  },
  PORTABLE_E_FUNCTION_COLLISION: {
    meaning:
      "two plugins define the same function: both would listen on `/tmp/func_<name>.ipc` (§6.2)",
    layers: ["host"],
  },
  PORTABLE_E_NOT_FOUND: {
    meaning: "no such plugin, symbol or configuration",
    layers: ["host"],
  },
  PORTABLE_E_INSTALL_SCRIPT: {
    meaning: "`install.sh` exited non-zero or timed out (§6.5)",
    layers: ["package", "host"],
  },
  PORTABLE_E_DOWNLOAD: {
    meaning: "a package could not be fetched: bad URL, HTTP error, timeout, too large",
    layers: ["host"],
  },
  PORTABLE_E_CONFIG: {
    meaning:
      "a symbol configuration (`sources/<s>.yaml`) or description (`*.json`) is invalid (§6.3, §6.4)",
    layers: ["package", "host"],
  },
  PORTABLE_E_BAD_REQUEST: {
    meaning: "a REST request body or a CLI argument is invalid",
    layers: ["host"],
  },
  PORTABLE_E_UNAUTHORIZED: {
    meaning: "a REST request lacks the bearer token, or carries a wrong one",
    layers: ["host"],
  },
  PORTABLE_E_FORBIDDEN: {
    meaning:
      "a REST request was refused: a Host name not allowed without a token, or a cross-site browser request",
    layers: ["host"],
  },
  PORTABLE_E_METHOD: {
    meaning: "a REST request used a method the path does not serve (405, with `Allow`)",
    layers: ["host"],
  },
  PORTABLE_E_SERVER: {
    meaning: "a server refuses to start as configured, e.g. non-loopback without a token",
    layers: ["host"],
  },
  PORTABLE_E_INTERNAL: {
    meaning:
      "REST answers only: an unexpected failure that is not a typed error (500); no error class carries it",
    layers: ["host"],
  },
  PORTABLE_E_LOCKED: {
    meaning: "the plugins folder is in use by another host (its lock file names a live pid)",
    layers: ["host"],
  },
  PORTABLE_E_RUNTIME: {
    meaning: "the runtime (supervisor) hook failed, e.g. could not stop the plugin's process",
    layers: ["host"],
  },
  PORTABLE_E_PROCESS: {
    meaning: "the plugin process could not be spawned, exited, or failed its restarts (§3.3, §8)",
    layers: ["host"],
  },
  PORTABLE_E_HANDSHAKE: {
    meaning: "the plugin sent nothing on its control channel within the init timeout (§5.4)",
    layers: ["host"],
  },
  PORTABLE_E_COMMAND: {
    meaning:
      "a start or stop command failed: the plugin answered it with an error text, quoted verbatim (host, §4.2.3); declared by the SDK for a command it cannot carry out",
    layers: ["host", "sdk"],
  },
  PORTABLE_E_CHANNEL: {
    meaning: "a socket of a channel failed (listen, dial, send), or a message could not be decoded",
    layers: ["host"],
  },
  PORTABLE_E_FUNCTION: {
    meaning:
      "a function replied `state: false`: Validate refused the arguments, or Exec failed (§4.6.3)",
    layers: ["host"],
  },
  PORTABLE_E_TYPE: {
    meaning:
      "a value does not fit the type its symbol declares (§6.4.1): a function call's arguments, a source's or sink's configuration; refused before the plugin sees it",
    layers: ["host"],
  },
  PORTABLE_E_SINK: {
    meaning: "a sink acked a message with an error (§4.5.2)",
    layers: ["host"],
  },
  PORTABLE_E_SOURCE: {
    meaning: "a source sent an error item (§4.4.2)",
    layers: ["host"],
  },
  PORTABLE_E_DEFINITION: {
    meaning: "a plugin definition is unusable: bad name, no symbols, a symbol twice",
    layers: ["sdk"],
  },
  PORTABLE_E_ARGUMENT: {
    meaning: "the plugin's start argument is missing or not a PortableConfig (§3.1)",
    layers: ["sdk"],
  },
  PORTABLE_E_NO_HOST: {
    meaning: "no host answered on the control channel",
    layers: ["sdk"],
  },
  PORTABLE_E_CONF_USAGE: {
    meaning: "conformance command-line arguments are missing or invalid",
    layers: ["conformance"],
  },
  PORTABLE_E_CONF_SUBJECT: {
    meaning:
      "the plugin under test (zip, folder, manifest, executable) cannot be read, unpacked or validated",
    layers: ["conformance"],
  },
  PORTABLE_E_CONF_IN_USE: {
    meaning: "`/tmp/plugin_<name>.ipc` is live: another host runs a plugin of that name",
    layers: ["conformance"],
  },
  PORTABLE_E_CONF_LAUNCH: {
    meaning: "the plugin process could not be spawned (missing interpreter, not executable)",
    layers: ["conformance"],
  },
  PORTABLE_E_CONF_SCENARIO: {
    meaning:
      "a scenario, profile or known-failures file is invalid (schema, YAML, unknown placeholder)",
    layers: ["conformance"],
  },
  PORTABLE_E_CONF_SOCKET: {
    meaning: "a socket the conformance harness itself needs could not be opened",
    layers: ["conformance"],
  },
} as const satisfies Record<`PORTABLE_E_${string}`, ErrorCodeInfo>;

/** Every error code of the family. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** True when `value` is a code of the list. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && Object.hasOwn(ERROR_CODES, value);
}

/** The codes the list says `layer` raises, in list order. */
export function errorCodesOf(layer: ErrorLayer): ErrorCode[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) =>
    (ERROR_CODES[code].layers as readonly ErrorLayer[]).includes(layer),
  );
}

/**
 * Every `PORTABLE_E_…` word in `text` that is not in the list, once each: lets a package's
 * tests prove its sources and docs name no code the list does not declare.
 */
export function unknownErrorCodes(text: string): string[] {
  const found = new Set(text.match(/\bPORTABLE_E_[A-Z0-9_]+\b/g) ?? []);
  return [...found].filter((word) => !isErrorCode(word));
}
