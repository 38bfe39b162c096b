// The debug server's options (see debug-server.ts): what can be set, the
// defaults (the reference's port, socket folder and 5-minute wait for the
// plugin), and the checks made before anything listens — a valid plugin
// name, a loopback address, a manifest that names this plugin.

import {
  DEFAULT_SOCKET_DIR,
  LANGUAGES,
  type Language,
  type PluginManifest,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { HostLogger } from "../logger.js";
import { stderrLogger } from "../logger.js";
import { checkPluginName } from "../names.js";
import type { HostTimeouts } from "../run/supervisor-options.js";
import { DEFAULT_SAMPLES, type DebugSamples } from "./samples.js";

export const DEBUG_PORT = 33333;
export const DEBUG_HANDSHAKE_TIMEOUT_MS = 300_000;

export interface DebugServerOptions {
  /** The plugin's name: its control channel is `<socketDir>/plugin_<name>.ipc`. */
  readonly plugin: string;
  /** Its manifest, when known: starts of symbols it does not list are refused. */
  readonly manifest?: PluginManifest;
  /** Loopback only. Default 127.0.0.1. */
  readonly host?: string;
  /** Default 33333; 0 picks a free port (see `url`). */
  readonly port?: number;
  /** Default /tmp. Only our TypeScript SDK can be told another (env PORTABLE_SOCKET_DIR). */
  readonly socketDir?: string;
  /** How long to wait for the plugin to be started. Default 5 minutes, as the reference. */
  readonly handshakeTimeoutMs?: number;
  /** Rows for sinks and arguments for functions. Default: the reference's. */
  readonly samples?: DebugSamples;
  /** Between two sink messages or two function calls. Default 1000 ms. */
  readonly intervalMs?: number;
  /** Command, call, ack and send timeouts (the host's defaults otherwise). */
  readonly timeouts?: Partial<Omit<HostTimeouts, "initMs">>;
  /** Where output lines go (source rows, sink sends, function results). Default stdout. */
  readonly out?: (line: string) => void;
  /** Diagnostics. Default: stderr. */
  readonly logger?: HostLogger;
}

export type Settings = Required<Omit<DebugServerOptions, "manifest" | "timeouts">> &
  Pick<DebugServerOptions, "manifest" | "timeouts">;

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

/** The options with their defaults, checked; and the language the plugin is taken to have. */
export function resolveDebugOptions(options: DebugServerOptions): {
  o: Settings;
  language: Language;
} {
  const o: Settings = {
    host: "127.0.0.1",
    port: DEBUG_PORT,
    socketDir: DEFAULT_SOCKET_DIR,
    handshakeTimeoutMs: DEBUG_HANDSHAKE_TIMEOUT_MS,
    samples: DEFAULT_SAMPLES,
    intervalMs: 1000,
    out: (line: string) => void process.stdout.write(`${line}\n`),
    logger: stderrLogger(),
    ...definedOnly(options),
  };
  checkPluginName(o.plugin);
  if (!LOOPBACK.test(o.host)) {
    throw new HostError(
      "PORTABLE_E_BAD_REQUEST",
      `the debug server listens on loopback addresses only, not ${o.host}`,
    );
  }
  const language = checkManifest(o.plugin, o.manifest);
  return { o, language };
}

/** The manifest's language (the debug server does not run the program: any will do). */
function checkManifest(plugin: string, m: PluginManifest | undefined): Language {
  if (!m) return "go";
  if (m.name !== undefined && m.name !== "" && m.name !== plugin) {
    throw new HostError(
      "PORTABLE_E_MANIFEST",
      `the manifest names plugin ${m.name}, not ${plugin}`,
      { plugin },
    );
  }
  return (LANGUAGES as readonly string[]).includes(m.language) ? (m.language as Language) : "go";
}

/** `o` without its undefined properties (so that defaults stay under exactOptionalPropertyTypes). */
function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
