// What source and sink proxies share: the instance triple (ruleId, opId,
// instanceId) checked and turned into channel paths (PROTOCOL.md §2.5, §2.7,
// §4.3), and the host-wide set of open instance keys (a key names socket
// files, so it can be used once at a time).

import {
  fitsIpcPath,
  ipcPath,
  MAX_IPC_PATH_BYTES,
  type Meta,
  type SymbolKind,
  sinkAckChannelUrl,
} from "@portable-plugins/protocol";
import { HostError } from "../../errors.js";
import type { HostLogger } from "../../logger.js";
import type { ManagedPlugin } from "../managed-plugin.js";
import type { HostTimeouts } from "../supervisor-options.js";

/** The rule instance a source or sink serves; `instanceId` defaults to 0. */
export interface InstanceMeta {
  readonly ruleId: string;
  readonly opId: string;
  readonly instanceId?: number;
}

/** What a proxy needs from the host. */
export interface ProxyDeps {
  readonly plugin: ManagedPlugin;
  readonly socketDir: string;
  readonly timeouts: HostTimeouts;
  readonly logger: HostLogger;
  /** Called once when the proxy is closed (frees the instance key). */
  readonly release: () => void;
}

const SAFE = /^[\x21-\x7e]+$/;

/** The Meta for `m`, refused (PORTABLE_E_NAME) when a path would be unsafe or too long. */
export function checkInstance(
  kind: Exclude<SymbolKind, "function">,
  symbol: string,
  m: InstanceMeta,
  socketDir: string,
): Meta {
  const meta: Meta = { ruleId: m.ruleId, opId: m.opId, instanceId: m.instanceId ?? 0 };
  const bad = (why: string) =>
    new HostError("PORTABLE_E_NAME", `${kind} ${symbol}: ${why}`, { symbol });
  for (const [field, value] of [
    ["ruleId", meta.ruleId],
    ["opId", meta.opId],
  ] as const) {
    if (typeof value !== "string" || !SAFE.test(value) || value.includes("/")) {
      throw bad(`${field} ${JSON.stringify(value)} must be non-empty printable ASCII without '/'`);
    }
  }
  if (!Number.isSafeInteger(meta.instanceId) || meta.instanceId < 0) {
    throw bad(`instanceId must be an integer >= 0, got ${String(m.instanceId)}`);
  }
  // The ack path is the longest of the instance's paths.
  const longest = ipcPath(sinkAckChannelUrl(meta, socketDir));
  if (!fitsIpcPath(longest)) {
    throw bad(`socket path ${longest} is longer than ${MAX_IPC_PATH_BYTES} bytes`);
  }
  return meta;
}
