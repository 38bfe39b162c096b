// The debug server (PROTOCOL.md §7.3), compatible with the reference's
// tools/plugin_server test server: it plays the host for one plugin that the
// developer starts by hand (in a debugger). It listens on the plugin's
// control channel (a Supervisor in `launch: "manual"` mode: nothing is
// spawned) and waits for the handshake, and serves on 127.0.0.1:
//
//   POST /symbol/start  body: a Control  -> 200 `ok` | 400 <text>
//   POST /symbol/stop   body: a Control  -> 200 `ok` | 400 <text>
//
// Started symbols run on the host's proxies (runners.ts). As in the
// reference, one symbol per type and name runs at a time, and every symbol
// runs as rule `rule1`, op `op1`, instance 0, unless the body's `meta` names
// another rule and op (so that a source and a sink can run side by side
// without sharing socket files). Instance 0, because eKuiper's Go SDK opens
// every source and sink channel as instance 0 whatever the command says.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  Control,
  controlChannelUrl,
  DEFAULT_SOCKET_DIR,
  type FuncMeta,
  instanceKey,
  ipcPath,
  kindOfPluginType,
  LANGUAGES,
  type Language,
  type Meta,
  type PluginManifest,
  type SymbolKind,
  symbolsOf,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { HostLogger } from "../logger.js";
import { stderrLogger } from "../logger.js";
import { checkPluginName } from "../names.js";
import type { ManagedPlugin } from "../run/managed-plugin.js";
import { checkInstance, type ProxyDeps } from "../run/proxies/instance.js";
import { socketIsLive } from "../run/socket-files.js";
import { Supervisor } from "../run/supervisor.js";
import type { HostTimeouts } from "../run/supervisor-options.js";
import { type RunningSymbol, runFunction, runSink, runSource } from "./runners.js";
import { DEFAULT_SAMPLES, type DebugSamples } from "./samples.js";

export const DEBUG_PORT = 33333;
export const DEBUG_HANDSHAKE_TIMEOUT_MS = 300_000;
/**
 * Symbols started without `meta` run in this context. Instance 0: Go SDK
 * sources and sinks always use instance 0's socket paths, so any other
 * default makes their start fail (the plugin dials or listens elsewhere).
 */
export const DEBUG_META: Meta = { ruleId: "rule1", opId: "op1", instanceId: 0 };
const MAX_BODY = 1024 * 1024;

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

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;

type Settings = Required<Omit<DebugServerOptions, "manifest" | "timeouts">> &
  Pick<DebugServerOptions, "manifest" | "timeouts">;

/** A 400 answer with a text, as the reference's http.Error. */
class Refusal extends Error {}

export class DebugServer {
  /** `http://<host>:<port>` of the debug API. */
  readonly url: string;
  /** The control channel the plugin must dial. */
  readonly controlUrl: string;
  /** Resolves when the plugin handshook; rejects (PORTABLE_E_HANDSHAKE) when it did not in time. */
  readonly handshake: Promise<void>;
  readonly #o: Settings;
  readonly #supervisor: Supervisor;
  readonly #mp: ManagedPlugin;
  readonly #http: Server;
  /** Running symbols by the reference's key, pluginType + symbolName. */
  readonly #running = new Map<string, Promise<RunningSymbol>>();
  /** Instance keys in use (they name socket files). */
  readonly #keys = new Set<string>();
  #handshakeError: HostError | undefined;
  #ids = 0;
  #closing: Promise<void> | undefined;

  private constructor(
    o: Settings,
    supervisor: Supervisor,
    mp: ManagedPlugin,
    http: Server,
    url: string,
  ) {
    this.#o = o;
    this.#supervisor = supervisor;
    this.#mp = mp;
    this.#http = http;
    this.url = url;
    this.controlUrl = controlChannelUrl(o.plugin, o.socketDir);
    this.handshake = mp.ensureRunning();
    this.handshake.catch((err: unknown) => {
      this.#handshakeError = HostError.from(err, "PORTABLE_E_HANDSHAKE", { plugin: o.plugin });
    });
    http.on("request", (req: IncomingMessage, res: ServerResponse) => void this.#serve(req, res));
  }

  /** Listens on the control channel and on the HTTP port; the handshake is awaited in the background. */
  static async start(options: DebugServerOptions): Promise<DebugServer> {
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
    const control = controlChannelUrl(o.plugin, o.socketDir);
    if (await socketIsLive(ipcPath(control))) {
      throw new HostError(
        "PORTABLE_E_CONFLICT",
        `${control} is in use: a host (or another debug server) runs plugin ${o.plugin}`,
        { plugin: o.plugin, channel: control },
      );
    }
    const supervisor = new Supervisor({
      launch: "manual",
      socketDir: o.socketDir,
      timeouts: { ...o.timeouts, initMs: o.handshakeTimeoutMs },
      logger: o.logger,
    });
    const mp = supervisor.managed({
      name: o.plugin,
      dir: process.cwd(),
      manifest: {
        version: "",
        executable: "",
        sources: [],
        sinks: [],
        functions: [],
        ...o.manifest,
        language,
        name: o.plugin,
      },
      language,
      executablePath: "",
    });
    const http = createServer();
    const url = await new Promise<string>((resolve, reject) => {
      http.once("error", reject);
      http.listen(o.port, o.host, () => {
        http.off("error", reject);
        const a = http.address() as AddressInfo;
        const host = a.family === "IPv6" ? `[${a.address}]` : a.address;
        resolve(`http://${host}:${a.port}`);
      });
    }).catch(async (err: unknown) => {
      await supervisor.close();
      throw new HostError(
        "PORTABLE_E_SERVER",
        `cannot listen on ${o.host}:${o.port}: ${(err as Error).message}`,
        { cause: err },
      );
    });
    const server = new DebugServer(o, supervisor, mp, http, url);
    // Return only once the control channel listens: a plugin started right
    // after (a script, a debugger's launch) must find it, and eKuiper's Go
    // SDK exits at once when its first dial fails.
    await Promise.race([mp.whenListening(), server.handshake.catch(() => undefined)]);
    return server;
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
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
      if (action === "start") await this.#start(control);
      else await this.#stop(control);
      reply(200, "ok");
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (!(err instanceof Refusal)) this.#o.logger.warn(`debug: ${action}: ${message}`);
      reply(400, `${message}\n`);
    }
  }

  async #start(control: Control): Promise<void> {
    if (this.#closing) throw new Refusal("the debug server is closing");
    if (this.#handshakeError) throw new Refusal(this.#handshakeError.message);
    const kind = kindOfPluginType(control.pluginType);
    const symbol = control.symbolName;
    const key = control.pluginType + symbol;
    if (this.#running.has(key)) throw new Refusal(`${kind} symbol ${symbol} already exists`);
    const offered = this.#o.manifest ? symbolsOf(this.#o.manifest, kind) : undefined;
    if (offered && !offered.includes(symbol)) {
      throw new Refusal(
        `running ${kind} ${symbol}: plugin ${this.#o.plugin} has no ${kind} ${symbol} (its manifest lists ${offered.join(", ") || "none"})`,
      );
    }
    const meta = control.meta?.ruleId && control.meta.opId ? control.meta : DEBUG_META;
    const run = this.#run(kind, control, meta);
    this.#running.set(key, run);
    try {
      await run;
    } catch (err) {
      if (this.#running.get(key) === run) this.#running.delete(key);
      throw err;
    }
  }

  #run(kind: SymbolKind, control: Control, meta: Meta): Promise<RunningSymbol> {
    const settings = {
      samples: this.#o.samples,
      intervalMs: this.#o.intervalMs,
      out: this.#o.out,
      logger: this.#o.logger,
    };
    if (kind === "function") {
      const context: FuncMeta = { ...meta, funcId: 1 };
      return runFunction(this.#mp, control, context, `debug:${++this.#ids}`, settings);
    }
    const checked = checkInstance(kind, control.symbolName, meta, this.#o.socketDir);
    const ikey = instanceKey(checked);
    if (this.#keys.has(ikey)) {
      return Promise.reject(
        new Refusal(
          `${kind} ${control.symbolName}: instance ${ikey} is in use by another running symbol; give this one another meta`,
        ),
      );
    }
    this.#keys.add(ikey);
    const deps: ProxyDeps = {
      plugin: this.#mp,
      socketDir: this.#o.socketDir,
      timeouts: this.#supervisor.options.timeouts,
      logger: this.#o.logger,
      release: () => this.#keys.delete(ikey),
    };
    return kind === "source"
      ? runSource(deps, control, checked, settings)
      : runSink(deps, control, checked, settings);
  }

  async #stop(control: Control): Promise<void> {
    const key = control.pluginType + control.symbolName;
    const run = this.#running.get(key);
    this.#running.delete(key);
    const running = await run?.catch(() => undefined);
    if (!running) throw new Refusal(`Symbol ${control.symbolName} already close`);
    await running.stop();
  }

  /** Stops every running symbol, closes the HTTP server and the control channel. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      const running = [...this.#running.values()];
      this.#running.clear();
      await Promise.all(
        running.map((r) =>
          r.then(
            (s) => s.stop(),
            () => undefined,
          ),
        ),
      );
      this.#http.closeAllConnections();
      await new Promise<void>((done) => this.#http.close(() => done()));
      await this.#supervisor.close();
    })();
    return this.#closing;
  }
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

/** `o` without its undefined properties (so that defaults stay under exactOptionalPropertyTypes). */
function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
