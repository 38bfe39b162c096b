// The host's half of the channels, in-process: enough to drive a plugin
// definition over the real wire (real SP sockets, real ipc files, the real
// SDK runtime) in a test, without the full host (@portable-plugins/host).

import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PullSocket, PushSocket, RepSocket } from "@portable-plugins/nng";
import {
  Command,
  type Control,
  controlChannelUrl,
  decodeAnswer,
  functionChannelUrl,
  type JsonObject,
  type Meta,
  parseHandshake,
  portableConfigArgument,
  sinkAckChannelUrl,
  sinkChannelUrl,
  sourceChannelUrl,
  startsLikeHandshake,
} from "@portable-plugins/protocol";
import type { Logger, PluginDefinition } from "../api.js";
import { type RunningPlugin, startPlugin } from "../runtime/plugin-runtime.js";

let seq = 0;
/** A plugin or rule name no other test of this process uses. */
export const uniqueName = (base: string) => `${base}${process.pid}x${++seq}`;

/** A fresh private folder for socket files: what is in it, and its removal. */
export function socketDir(): { dir: string; files: () => string[]; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "sdk-"));
  return {
    dir,
    files: () => readdirSync(dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Holds the plugin's pending request, as the host does, and sends commands as replies. */
export class ControlHost {
  readonly rep = new RepSocket({ recvTimeout: 5000, sendTimeout: 5000 });
  readonly received: Buffer[] = [];
  constructor(
    readonly plugin: string,
    readonly dir: string,
  ) {}

  async listen(): Promise<this> {
    await this.rep.listen(controlChannelUrl(this.plugin, this.dir));
    return this;
  }

  async recv(): Promise<Buffer> {
    const m = await this.rep.recv();
    this.received.push(m);
    return m;
  }

  /** Receives the first request; resolves with the version its handshake announces (§10.3). */
  async handshake(): Promise<number> {
    const m = await this.recv();
    const version = parseHandshake(m);
    if (version === undefined) throw new Error(`expected handshake, got ${m.toString()}`);
    return version;
  }

  /** Sends a command and returns the answer text ("ok" or the error), re-sending on a keepalive handshake (§5.2). */
  async command(cmd: "start" | "stop", arg: Control): Promise<string> {
    const bytes = Command.encode({ cmd, arg });
    for (;;) {
      await this.rep.send(bytes);
      const answer = await this.recv();
      if (startsLikeHandshake(answer)) continue;
      const a = decodeAnswer(answer);
      return a.ok ? "ok" : a.error;
    }
  }

  close(): Promise<void> {
    return this.rep.close();
  }
}

/** The meta of instance `instanceId` of operator "op1" of rule `ruleId`. */
export const meta = (ruleId: string, instanceId = 0): Meta => ({ ruleId, opId: "op1", instanceId });

/** Listens, as the host does, on the channel a source instance pushes its rows to. */
export async function sourceListener(m: Meta, dir: string): Promise<PullSocket> {
  const pull = new PullSocket({ recvTimeout: 5000 });
  await pull.listen(sourceChannelUrl(m, dir));
  return pull;
}

/** The ack channel a sink instance dials (listened), and a way to dial its data channel once started. */
export async function sinkSockets(
  m: Meta,
  dir: string,
): Promise<{ ack: PullSocket; connect: () => Promise<PushSocket> }> {
  const ack = new PullSocket({ recvTimeout: 3000 });
  await ack.listen(sinkAckChannelUrl(m, dir));
  return {
    ack,
    connect: async () => {
      const push = new PushSocket({ sendTimeout: 3000 });
      await push.dial(sinkChannelUrl(m, dir));
      return push;
    },
  };
}

/** Listens on the channel a function dials (the host's REP of the inverted REQ/REP, §4.6). */
export async function functionListener(symbol: string, dir: string): Promise<RepSocket> {
  const rep = new RepSocket({ recvTimeout: 5000, sendTimeout: 5000 });
  await rep.listen(functionChannelUrl(symbol, dir));
  return rep;
}

export interface TestHostOptions {
  /** The plugin's keepalive (ms of silence before a handshake). Default 5000. */
  readonly keepaliveMs?: number;
  /** Keepalive on the control channel too. Default true. */
  readonly controlKeepalive?: boolean;
  /** The PortableConfig's sendTimeout (ms) given to the plugin. Default 500. */
  readonly sendTimeout?: number;
  /** The plugin's logger. Default: one that drops everything. */
  readonly logger?: Logger;
  /**
   * The protocol versions offered in PortableConfig (§10.2). Default `[1]`:
   * no `protocolVersions` key, as a reference host.
   */
  readonly protocolVersions?: readonly number[];
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A plugin definition running in this process against the host's side of
 * its channels, in a private socket folder under a unique name. Start
 * symbols with `start`, listen on their channels with `sourceListener`,
 * `sinkSockets` and `functionListener`, and end with `close`, which says
 * which socket files were left behind.
 */
export class TestHost {
  private constructor(
    /** The name the plugin serves under (unique per test). */
    readonly name: string,
    /** The socket folder. */
    readonly dir: string,
    readonly control: ControlHost,
    readonly plugin: RunningPlugin,
    private readonly folder: ReturnType<typeof socketDir>,
  ) {}

  /** Starts `definition` in-process and waits for its handshake. */
  static async start(
    definition: PluginDefinition,
    options: TestHostOptions = {},
  ): Promise<TestHost> {
    const folder = socketDir();
    const name = uniqueName(definition.name);
    const control = await new ControlHost(name, folder.dir).listen();
    let plugin: RunningPlugin;
    try {
      plugin = await startPlugin(definition, {
        name,
        argv: [portableConfigArgument(options.sendTimeout ?? 500, options.protocolVersions)],
        socketDir: folder.dir,
        ownProcess: false,
        keepaliveMs: options.keepaliveMs ?? 5000,
        ...(options.controlKeepalive === undefined
          ? {}
          : { controlKeepalive: options.controlKeepalive }),
        logger: options.logger ?? quiet,
      });
      const announced = await control.handshake();
      if (announced !== plugin.protocolVersion) {
        throw new Error(
          `the plugin agreed on version ${plugin.protocolVersion} but its handshake announces ${announced}`,
        );
      }
    } catch (err) {
      await control.close();
      folder.remove();
      throw err;
    }
    return new TestHost(name, folder.dir, control, plugin, folder);
  }

  /** Sends a start command; resolves with the answer, "ok" or the error text. */
  start(
    pluginType: Control["pluginType"],
    symbolName: string,
    m: Meta,
    config?: JsonObject,
  ): Promise<string> {
    return this.control.command("start", {
      symbolName,
      meta: m,
      pluginType,
      ...(config ? { config } : {}),
    });
  }

  /** Sends a stop command; resolves with the answer. */
  stop(pluginType: Control["pluginType"], symbolName: string, m: Meta): Promise<string> {
    return this.control.command("stop", { symbolName, meta: m, pluginType });
  }

  sourceListener(m: Meta): Promise<PullSocket> {
    return sourceListener(m, this.dir);
  }

  sinkSockets(m: Meta): ReturnType<typeof sinkSockets> {
    return sinkSockets(m, this.dir);
  }

  functionListener(symbol: string): Promise<RepSocket> {
    return functionListener(symbol, this.dir);
  }

  /** The files now in the socket folder. */
  files(): string[] {
    return this.folder.files();
  }

  /**
   * Shuts the plugin down, closes the control channel and removes the socket
   * folder; resolves with the files that were left in it (a clean plugin
   * leaves none once the test closed its own sockets).
   */
  async close(): Promise<string[]> {
    try {
      await this.plugin.shutdown("test over");
      await this.control.close();
      return this.folder.files();
    } finally {
      this.folder.remove();
    }
  }
}
