// The plugin process (PROTOCOL.md §3, §5): read the start argument, dial the
// host's control channel, answer start/stop commands for every symbol, and
// shut down cleanly on SIGTERM/SIGINT or when the host goes away.

import { ReqSocket } from "@portable-plugins/nng";
import {
  ANSWER_OK,
  Command,
  type Control,
  chooseVersion,
  controlChannelUrl,
  DEFAULT_SOCKET_DIR,
  encodeAnswer,
  formatHandshake,
  functionSocketPath,
  instanceKey,
  type Meta,
  PortableConfig,
  readVersionOffer,
  SUPPORTED_PROTOCOL_VERSIONS,
} from "@portable-plugins/protocol";
import type { Logger, PluginDefinition, Sink, Source } from "../api.js";
import { messageOf, SdkError } from "../errors.js";
import { createLogger } from "../logger.js";
import { validateDefinition } from "./definition.js";
import { DESCRIBE_ENV, describePlugin } from "./describe.js";
import { startFunction } from "./function-runtime.js";
import { serveInvertedReq } from "./inverted-req.js";
import { startSink } from "./sink-runtime.js";
import { startSource } from "./source-runtime.js";
import type { RuntimeSettings, SymbolInstance } from "./symbol-instance.js";

export interface StartOptions {
  /** Serve under another name than the definition's (to run several copies). Env PORTABLE_PLUGIN_NAME does the same. */
  readonly name?: string;
  /** The process arguments after the script; argv[0] is the PortableConfig JSON. Default: process.argv.slice(2). */
  readonly argv?: readonly string[];
  /** Folder of the socket files. Default /tmp (env PORTABLE_SOCKET_DIR), as the reference hosts expect. */
  readonly socketDir?: string;
  /** ms of host silence before a keepalive handshake. Default 5000, as the Python SDK. */
  readonly keepaliveMs?: number;
  /**
   * Keepalive on the control channel too (default true). eKuiper hosts built
   * from the 2021-2024 connection code fail a command whose answer races with
   * a keepalive (PROTOCOL.md §5.2, Q43): switch it off for them. Env
   * PORTABLE_CONTROL_KEEPALIVE=0 does the same.
   */
  readonly controlKeepalive?: boolean;
  /** ms to wait for the host's control channel at start. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Exit the process on SIGTERM/SIGINT and when the host goes away. Default true. */
  readonly ownProcess?: boolean;
  readonly logger?: Logger;
  /**
   * Protocol versions this plugin is willing to speak (§10.3), ascending.
   * Default: every version the SDK implements (`SUPPORTED_PROTOCOL_VERSIONS`).
   * `[1]` makes the plugin a plain version-1 plugin whatever the host offers.
   */
  readonly protocolVersions?: readonly number[];
}

export interface RunningPlugin {
  readonly name: string;
  /**
   * The protocol version agreed with the host (§10.3): the highest version
   * the host offered that the plugin speaks, 1 without an offer. Version 2 is
   * negotiated; its messages come in the next step: every message is still
   * version 1, only the handshakes say `handshake v=2`.
   */
  readonly protocolVersion: number;
  /** Resolves once the plugin has shut down. */
  readonly closed: Promise<void>;
  /** Stops every symbol and closes the control channel. Idempotent. */
  shutdown(reason?: string): Promise<void>;
}

const USAGE = (name: string) =>
  `${name} is a portable plugin: a host starts it with a JSON argument such as '{"sendTimeout":1000}' ` +
  `and talks to it over ${controlChannelUrl(name)}. Install it into a host (portable install <zip>) ` +
  "or start the host's debug server (portable debug) and then this program.";

interface StartArgument {
  readonly config: PortableConfig;
  /** The host's version offer (§10.2); undefined when absent or bad (§10.3 step 1). */
  readonly offer: readonly number[] | undefined;
}

function parseArgument(name: string, argv: readonly string[]): StartArgument {
  const arg = argv[0];
  if (arg === undefined) throw new SdkError("PORTABLE_E_ARGUMENT", USAGE(name), { plugin: name });
  try {
    const config = PortableConfig.decode(arg);
    return { config, offer: readVersionOffer(JSON.parse(arg)) };
  } catch (cause) {
    throw new SdkError("PORTABLE_E_ARGUMENT", `${name}: bad start argument: ${messageOf(cause)}`, {
      plugin: name,
      cause,
    });
  }
}

const metaOf = (control: Control): Meta => {
  if (!control.meta)
    throw new Error(`${control.pluginType} ${control.symbolName}: the command has no meta`);
  return control.meta;
};

export async function startPlugin(
  definition: PluginDefinition,
  options: StartOptions = {},
): Promise<RunningPlugin> {
  const name = options.name ?? (process.env["PORTABLE_PLUGIN_NAME"] || definition.name);
  const def = validateDefinition({ ...definition, name });
  if (process.env[DESCRIBE_ENV] === "1") {
    process.stdout.write(`${JSON.stringify(describePlugin(def))}\n`);
    if (options.ownProcess ?? true) process.exit(0);
  }
  const logger = options.logger ?? createLogger(name);
  const { config, offer } = parseArgument(name, options.argv ?? process.argv.slice(2));
  const choice = chooseVersion(offer, options.protocolVersions ?? SUPPORTED_PROTOCOL_VERSIONS);
  if (!choice.ok) {
    // §10.3 step 3: one stderr line naming both sets, exit status 2.
    if (options.ownProcess ?? true) {
      process.stderr.write(`${name}: ${choice.message}\n`);
      process.exit(2);
    }
    throw new SdkError("PORTABLE_E_ARGUMENT", `${name}: ${choice.message}`, { plugin: name });
  }
  const protocolVersion = choice.version;
  const settings: RuntimeSettings = {
    plugin: name,
    socketDir: options.socketDir ?? process.env["PORTABLE_SOCKET_DIR"] ?? DEFAULT_SOCKET_DIR,
    sendTimeout: config.sendTimeout > 0 ? config.sendTimeout : 1000,
    keepaliveMs: options.keepaliveMs ?? 5000,
    protocolVersion,
    logger,
    loggerFor: (scope) => options.logger ?? createLogger(scope),
  };
  const ownProcess = options.ownProcess ?? true;
  const running = new Map<string, SymbolInstance>();

  /** `<ruleId>_<opId>_<instanceId>_<symbol>` for sources and sinks (§4.3), a function's channel path for functions. */
  const keyOf = (c: Control): string => {
    if (c.pluginType === "func") return functionSocketPath(c.symbolName, settings.socketDir);
    return `${instanceKey(metaOf(c))}_${c.symbolName}`;
  };

  const start = async (c: Control) => {
    const key = keyOf(c);
    if (c.pluginType === "func") {
      const make = def.functions?.[c.symbolName];
      if (!make) throw new Error(`symbol not found: function ${c.symbolName}`);
      if (running.has(key)) return; // one channel per function, whatever the rule
      running.set(key, await startFunction(settings, c.symbolName, make()));
      return;
    }
    const meta = metaOf(c);
    const make =
      c.pluginType === "source" ? def.sources?.[c.symbolName] : def.sinks?.[c.symbolName];
    if (!make) throw new Error(`symbol not found: ${c.pluginType} ${c.symbolName}`);
    if (!meta.ruleId || !meta.opId)
      throw new Error(`${c.pluginType} ${c.symbolName}: ruleId and opId must not be empty`);
    // A start of a running instance replaces it: the host lost track of it (§4.3).
    const previous = running.get(key);
    if (previous) {
      running.delete(key);
      await previous.stop();
    }
    const instance =
      c.pluginType === "source"
        ? await startSource(settings, c.symbolName, (make as () => Source)(), c, meta)
        : await startSink(settings, c.symbolName, (make as () => Sink)(), c, meta);
    running.set(key, instance);
  };

  const stop = async (c: Control) => {
    // Functions live as long as the process: hosts never stop them (§5.3.3).
    if (c.pluginType === "func") return;
    const key = keyOf(c);
    const instance = running.get(key);
    if (!instance) {
      logger.warn(`stop of ${key}: not running`);
      return;
    }
    running.delete(key);
    await instance.stop();
  };

  const onCommand = async (message: Buffer): Promise<Buffer> => {
    let command: Command;
    try {
      command = Command.decode(message);
    } catch (err) {
      return encodeAnswer({ ok: false, error: `invalid command: ${messageOf(err)}` });
    }
    try {
      await (command.cmd === "start" ? start(command.arg) : stop(command.arg));
      logger.debug(
        `${command.cmd} ${command.arg.pluginType} ${command.arg.symbolName}: ${ANSWER_OK}`,
      );
      return encodeAnswer({ ok: true });
    } catch (err) {
      logger.error(
        `${command.cmd} ${command.arg.pluginType} ${command.arg.symbolName} failed: ${messageOf(err)}`,
      );
      return encodeAnswer({ ok: false, error: messageOf(err) });
    }
  };

  const url = controlChannelUrl(name, settings.socketDir);
  const control = new ReqSocket({ resendTime: 0, reconnectTime: 100, reconnectMaxTime: 1000 });
  await control.dial(url, { blocking: false });
  try {
    await control.connected(options.connectTimeoutMs ?? 5000);
  } catch (cause) {
    await control.close();
    throw new SdkError("PORTABLE_E_NO_HOST", `no host is listening on ${url}. ${USAGE(name)}`, {
      plugin: name,
      url,
      cause,
    });
  }

  const abort = new AbortController();
  let shuttingDown: Promise<void> | undefined;
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => {
    resolveClosed = r;
  });
  const shutdown = (reason = "shutdown") => {
    shuttingDown ??= (async () => {
      logger.info(`shutting down (${reason})`);
      abort.abort();
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map((i) => i.stop()));
      await control.close();
      detach();
      resolveClosed();
    })();
    return shuttingDown;
  };

  // The host listens on the control channel for as long as it wants the plugin:
  // when that connection goes, so does the plugin (PROTOCOL.md §3.3).
  const offPipe = control.onPipeEvent((e) => {
    if (e.type === "removed") void shutdown("the host closed the control channel");
  });
  const onSignal = (signal: NodeJS.Signals) => void shutdown(signal);
  const onRejection = (err: unknown) =>
    logger.error(`unhandled rejection in plugin code: ${messageOf(err)}`);
  if (ownProcess) {
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
    process.on("unhandledRejection", onRejection);
  }
  function detach() {
    offPipe();
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
    process.off("unhandledRejection", onRejection);
  }

  const controlKeepalive =
    options.controlKeepalive ?? process.env["PORTABLE_CONTROL_KEEPALIVE"] !== "0";
  void serveInvertedReq(control, onCommand, {
    handshake: formatHandshake(protocolVersion),
    keepaliveMs: controlKeepalive ? settings.keepaliveMs : 0,
    signal: abort.signal,
  })
    .catch((err: unknown) => logger.error(`control channel failed: ${messageOf(err)}`))
    .finally(() => void shutdown("control channel ended"));

  logger.info(`serving on ${url}, protocol version ${protocolVersion}`);
  if (ownProcess) void closed.then(() => process.exit(0));
  return { name, protocolVersion, closed, shutdown };
}
