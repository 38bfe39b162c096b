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
//
// This file starts and stops the server; beside it: debug-options.ts
// (options, defaults, checks), debug-http.ts (the HTTP API) and
// debug-symbols.ts (the running symbols).

import type { Server } from "node:http";
import { type Control, controlChannelUrl, ipcPath } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { ManagedPlugin } from "../run/managed-plugin.js";
import { socketIsLive } from "../run/socket-files.js";
import { Supervisor } from "../run/supervisor.js";
import { listenHttp, Refusal, type SymbolAction, serveSymbolApi } from "./debug-http.js";
import { type DebugServerOptions, resolveDebugOptions, type Settings } from "./debug-options.js";
import { DebugSymbols } from "./debug-symbols.js";

export {
  DEBUG_HANDSHAKE_TIMEOUT_MS,
  DEBUG_PORT,
  type DebugServerOptions,
} from "./debug-options.js";
export { DEBUG_META } from "./debug-symbols.js";

export class DebugServer {
  /** `http://<host>:<port>` of the debug API. */
  readonly url: string;
  /** The control channel the plugin must dial. */
  readonly controlUrl: string;
  /** Resolves when the plugin handshook; rejects (PORTABLE_E_HANDSHAKE) when it did not in time. */
  readonly handshake: Promise<void>;
  readonly #supervisor: Supervisor;
  readonly #symbols: DebugSymbols;
  readonly #http: Server;
  #handshakeError: HostError | undefined;
  #closing: Promise<void> | undefined;

  private constructor(
    o: Settings,
    supervisor: Supervisor,
    mp: ManagedPlugin,
    http: Server,
    url: string,
  ) {
    this.#supervisor = supervisor;
    this.#symbols = new DebugSymbols(o, mp, supervisor.options.timeouts);
    this.#http = http;
    this.url = url;
    this.controlUrl = controlChannelUrl(o.plugin, o.socketDir);
    this.handshake = mp.ensureRunning();
    this.handshake.catch((err: unknown) => {
      this.#handshakeError = HostError.from(err, "PORTABLE_E_HANDSHAKE", { plugin: o.plugin });
    });
    http.on(
      "request",
      (req, res) =>
        void serveSymbolApi(req, res, (action, control) => this.#handle(action, control), o.logger),
    );
  }

  /** Listens on the control channel and on the HTTP port; the handshake is awaited in the background. */
  static async start(options: DebugServerOptions): Promise<DebugServer> {
    const { o, language } = resolveDebugOptions(options);
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
    const { http, url } = await listenHttp(o.host, o.port).catch(async (err: unknown) => {
      await supervisor.close();
      throw err;
    });
    const server = new DebugServer(o, supervisor, mp, http, url);
    // Return only once the control channel listens: a plugin started right
    // after (a script, a debugger's launch) must find it, and eKuiper's Go
    // SDK exits at once when its first dial fails.
    await Promise.race([mp.whenListening(), server.handshake.catch(() => undefined)]);
    return server;
  }

  async #handle(action: SymbolAction, control: Control): Promise<void> {
    if (action === "stop") return this.#symbols.stop(control);
    if (this.#closing) throw new Refusal("the debug server is closing");
    if (this.#handshakeError) throw new Refusal(this.#handshakeError.message);
    await this.#symbols.start(control);
  }

  /** Stops every running symbol, closes the HTTP server and the control channel. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#symbols.stopAll();
      this.#http.closeAllConnections();
      await new Promise<void>((done) => this.#http.close(() => done()));
      await this.#supervisor.close();
    })();
    return this.#closing;
  }
}
