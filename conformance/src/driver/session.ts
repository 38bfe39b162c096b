// One case's host: the control channel, the plugin process, and the data
// channels of every symbol the case started. It follows the host's ordering
// rules (PROTOCOL.md §5.1: listen before the start, dial the sink after `ok`,
// close the host ends before the stop) and remembers the starts answered `ok`
// for replay after a restart (§8). It never judges: steps do.

import { unlinkSync } from "node:fs";
import { NngError } from "@portable-plugins/nng";
import {
  Command,
  type Control,
  controlChannelUrl,
  functionChannelUrl,
  ipcPath,
  type JsonObject,
  type Meta,
  pluginTypeOf,
  type SymbolKind,
  sinkAckChannelUrl,
  sinkChannelUrl,
  sourceChannelUrl,
} from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import { describeHolders } from "../socket-holder.js";
import { describeExit, type LaunchCommand, PluginProcess } from "./plugin-process.js";
import { ExchangeError, RepChannel, type StopSignal } from "./rep-channel.js";
import { SinkChannel } from "./sink-channel.js";
import { SourceChannel } from "./source-channel.js";
import type { Timeouts } from "./timeouts.js";
import type { Transcript } from "./transcript.js";

export interface StartSpec {
  readonly kind: SymbolKind;
  readonly symbol: string;
  /** Label of the instance in later steps; for functions, the symbol. */
  readonly as: string;
  readonly config?: JsonObject | undefined;
  readonly dataSource?: string | undefined;
  /** Where the data source goes: `dataSource` (spec), `datasource` (Python SDK), `config`. */
  readonly dataSourceKey?: "dataSource" | "datasource" | "config" | undefined;
  readonly meta?: Partial<Meta> | undefined;
  /** Leave `meta` out of the Control (a 1.x host's function start, §9.3.2 Q37). */
  readonly withoutMeta?: boolean | undefined;
}

/** What came back for a command or a call. */
export interface Outcome {
  /** The answer (reply) text, when one came. */
  readonly answer?: string;
  /** Why none came: no answer in time, the process exited, ... */
  readonly failure?: string;
  readonly keepalives: number;
}

export interface Instance {
  readonly kind: SymbolKind;
  readonly symbol: string;
  readonly label: string;
  readonly control: Control;
  readonly command: Buffer;
  readonly source?: SourceChannel;
  readonly sink?: SinkChannel;
  running: boolean;
}

export interface SessionOptions {
  readonly plugin: string;
  readonly launch: LaunchCommand;
  readonly ruleId: string;
  readonly timeouts: Timeouts;
  readonly transcript: Transcript;
}

/** Sessions not torn down yet: an interrupted suite unlinks their listeners' files. */
const OPEN = new Set<Session>();

/** Synchronously removes the socket files of every listener the suite still holds. */
export function unlinkHostFilesSync(): void {
  for (const s of OPEN) {
    for (const path of s.hostPaths()) {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    }
  }
}

const ZERO_META: Meta = { ruleId: "", opId: "", instanceId: 0 };

export class Session {
  readonly opts: SessionOptions;
  readonly transcript: Transcript;
  readonly control: RepChannel;
  readonly output: string[] = [];
  /** Panic and exception lines the plugin wrote (every process of the case). */
  readonly crashes: string[] = [];
  readonly instances = new Map<string, Instance>();
  /** Source and sink instances after their stop, by label (for expectNoSource). */
  readonly stopped = new Map<string, Instance>();
  readonly functions = new Map<string, RepChannel>();
  /** Channels opened by steps outside a start (re-listens after a stop). */
  readonly extraSources: SourceChannel[] = [];
  process: PluginProcess | undefined;
  /** The last command's outcome, for `expectAnswer`. */
  lastAnswer: Outcome | undefined;
  /** The last call's outcome, for `expectReply`. */
  lastReply: Outcome | undefined;
  /** Handshake (first request) of the current process. */
  handshake: Buffer | undefined;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.transcript = opts.transcript;
    this.control = new RepChannel(controlChannelUrl(opts.plugin), "control", this.transcript);
  }

  /** Resolves with why the current process ended; never resolves while none runs. */
  stopSignal(): StopSignal {
    const p = this.process;
    return p ? p.exited.then(describeExit) : new Promise<string>(() => undefined);
  }

  /** Listens on the control channel (a live one is a harness error), spawns the plugin. */
  async open(): Promise<void> {
    OPEN.add(this);
    try {
      await this.control.listen();
    } catch (err) {
      if (NngError.is(err, "PORTABLE_E_ADDR_IN_USE")) {
        throw new ConformanceError(
          "PORTABLE_E_CONF_IN_USE",
          `${ipcPath(this.control.url)} is live: another host runs a plugin named ${this.opts.plugin}, ${await describeHolders(ipcPath(this.control.url))}`,
          { path: ipcPath(this.control.url), cause: err },
        );
      }
      throw ConformanceError.from(
        err,
        "PORTABLE_E_CONF_SOCKET",
        "cannot listen on the control channel",
      );
    }
    await this.spawn();
  }

  async spawn(): Promise<void> {
    this.control.reset();
    for (const f of this.functions.values()) f.reset();
    this.handshake = undefined;
    this.process = await PluginProcess.spawn(
      this.opts.launch,
      this.transcript,
      this.output,
      this.crashes,
    );
  }

  /** Waits for the first control request; returns the failure text if none came. */
  async awaitHandshake(): Promise<string | undefined> {
    try {
      this.handshake = await this.control.first(this.opts.timeouts.initMs, this.stopSignal());
      return undefined;
    } catch (err) {
      return describe(
        err,
        `no request on the control channel within ${this.opts.timeouts.initMs} ms`,
      );
    }
  }

  /** Sends raw bytes as a command and records the outcome as the last answer. */
  async command(bytes: Buffer): Promise<Outcome> {
    let outcome: Outcome;
    try {
      const r = await this.control.exchange(bytes, this.opts.timeouts.commandMs, this.stopSignal());
      outcome = { answer: r.answer.toString("utf8"), keepalives: r.keepalives };
    } catch (err) {
      outcome = {
        failure: describe(err, `no answer within ${this.opts.timeouts.commandMs} ms`),
        keepalives: 0,
      };
    }
    this.lastAnswer = outcome;
    return outcome;
  }

  buildControl(spec: StartSpec): Control {
    const meta: Meta =
      spec.kind === "function"
        ? ZERO_META
        : {
            ruleId: spec.meta?.ruleId ?? this.opts.ruleId,
            opId: spec.meta?.opId ?? spec.as,
            instanceId: spec.meta?.instanceId ?? 0,
          };
    const control: Control = {
      symbolName: spec.symbol,
      ...(spec.withoutMeta ? {} : { meta }),
      pluginType: pluginTypeOf(spec.kind),
    };
    let config = spec.config;
    if (spec.dataSource !== undefined && spec.dataSourceKey === "config") {
      config = { ...config, datasource: spec.dataSource };
    } else if (spec.dataSource !== undefined && spec.dataSourceKey !== "datasource") {
      control.dataSource = spec.dataSource;
    }
    if (config && Object.keys(config).length > 0) control.config = config;
    return control;
  }

  encode(cmd: "start" | "stop", control: Control, spec?: StartSpec): Buffer {
    if (spec?.dataSourceKey === "datasource" && spec.dataSource !== undefined) {
      // The Python SDK's spelling (§9.3 Q1): not producible by the codec on purpose.
      const arg = JSON.stringify({
        symbolName: control.symbolName,
        meta: control.meta,
        pluginType: control.pluginType,
        datasource: spec.dataSource,
        ...(control.config ? { config: control.config } : {}),
      });
      return Buffer.from(JSON.stringify({ cmd, arg }));
    }
    return Command.encode({ cmd, arg: control });
  }

  /**
   * Starts a symbol as a host does: listen on the host's ends, send the start,
   * then (on `ok`) dial the sink or wait for the function's first request.
   * Returns the answer outcome and, for a function, a failure of its handshake.
   */
  async start(spec: StartSpec): Promise<{ outcome: Outcome; channelFailure?: string }> {
    if (spec.withoutMeta && spec.kind !== "function") {
      throw new ConformanceError(
        "PORTABLE_E_CONF_SCENARIO",
        "start: withoutMeta is for functions (sources and sinks need meta for their channels)",
      );
    }
    const control = this.buildControl(spec);
    const command = this.encode("start", control, spec);
    const key = spec.kind === "function" ? `function:${spec.symbol}` : spec.as;
    const previous = this.instances.get(key);
    let source: SourceChannel | undefined;
    let sink: SinkChannel | undefined;
    let fresh: { close(): Promise<void> } | undefined;
    let fn = this.functions.get(spec.symbol);
    if (spec.kind === "source") {
      source = previous?.source && !previous.source.closed ? previous.source : undefined;
      if (!source) {
        source = new SourceChannel(
          sourceChannelUrl(control.meta as Meta),
          `source:${spec.as}`,
          this.transcript,
        );
        await this.listen(source, source.url);
        fresh = source;
      }
    } else if (spec.kind === "sink") {
      sink = previous?.sink;
      if (!sink) {
        const meta = control.meta as Meta;
        sink = new SinkChannel(
          sinkChannelUrl(meta),
          sinkAckChannelUrl(meta),
          `sink:${spec.as}`,
          this.transcript,
        );
        await this.listen({ listen: () => sink!.listenAck() }, sink.ackUrl);
        fresh = sink;
      }
    } else if (!fn || fn.closed) {
      fn = new RepChannel(
        functionChannelUrl(spec.symbol),
        `function:${spec.symbol}`,
        this.transcript,
      );
      await this.listen(fn, fn.url);
      this.functions.set(spec.symbol, fn);
      fresh = fn;
    }
    const outcome = await this.command(command);
    if (outcome.answer !== "ok") {
      // §9.1: a failed start is not remembered; the host closes its ends.
      if (fresh) await fresh.close();
      if (fresh === fn) this.functions.delete(spec.symbol);
      return { outcome };
    }
    this.instances.set(key, {
      kind: spec.kind,
      symbol: spec.symbol,
      label: spec.as,
      control,
      command,
      ...(source ? { source } : {}),
      ...(sink ? { sink } : {}),
      running: true,
    });
    if (sink) await sink.dialData(this.opts.timeouts.sendMs);
    if (fn && fresh === fn) {
      const failure = await this.awaitFunction(fn);
      if (failure) return { outcome, channelFailure: failure };
    }
    return { outcome };
  }

  async awaitFunction(fn: RepChannel): Promise<string | undefined> {
    try {
      await fn.first(this.opts.timeouts.initMs, this.stopSignal());
      return undefined;
    } catch (err) {
      return describe(
        err,
        `no request on ${fn.url} within ${this.opts.timeouts.initMs} ms after the start was answered ok`,
      );
    }
  }

  /** Stops an instance as a host does: host ends closed first, then the stop (§5.1 rule 4). */
  async stop(label: string): Promise<Outcome> {
    const inst = this.instances.get(label) ?? this.instances.get(`function:${label}`);
    if (!inst)
      throw new ConformanceError(
        "PORTABLE_E_CONF_SCENARIO",
        `stop: no started instance "${label}"`,
      );
    await inst.source?.close();
    await inst.sink?.close();
    inst.running = inst.kind === "function"; // a function keeps running (§5.3.3)
    const outcome = await this.command(this.encode("stop", inst.control));
    if (inst.kind !== "function") {
      this.instances.delete(label);
      this.stopped.set(label, inst);
    }
    return outcome;
  }

  async call(symbol: string, bytes: Buffer): Promise<Outcome> {
    const fn = this.functions.get(symbol);
    let outcome: Outcome;
    if (!fn) {
      outcome = { failure: `function ${symbol} was not started`, keepalives: 0 };
    } else {
      try {
        const r = await fn.exchange(bytes, this.opts.timeouts.callMs, this.stopSignal());
        outcome = { answer: r.answer.toString("utf8"), keepalives: r.keepalives };
      } catch (err) {
        outcome = {
          failure: describe(err, `no reply within ${this.opts.timeouts.callMs} ms`),
          keepalives: 0,
        };
      }
    }
    this.lastReply = outcome;
    return outcome;
  }

  /**
   * A new process after the old one ended (SIGKILL'd if needed), then the
   * replay of every remembered start, functions first (§8.2). Returns a
   * failure text per start that did not come back.
   */
  async restart(): Promise<string[]> {
    if (this.process?.running) {
      this.process.signal("SIGKILL");
      await this.process.exited;
    }
    await this.spawn();
    const shake = await this.awaitHandshake();
    if (shake) return [`restarted plugin: ${shake}`];
    const failures: string[] = [];
    const order = ["function", "source", "sink"] as const;
    for (const kind of order) {
      for (const inst of this.instances.values()) {
        if (inst.kind !== kind || !inst.running) continue;
        const outcome = await this.command(inst.command);
        if (outcome.answer !== "ok") {
          failures.push(
            `replayed start of ${kind} ${inst.symbol}: ${outcome.failure ?? `answered ${JSON.stringify(outcome.answer)}`}`,
          );
          continue;
        }
        const fn = kind === "function" ? this.functions.get(inst.symbol) : undefined;
        if (fn) {
          const failure = await this.awaitFunction(fn);
          if (failure) failures.push(`function ${inst.symbol} after replay: ${failure}`);
        }
      }
    }
    return failures;
  }

  /** Paths of the socket files the suite itself listens on right now. */
  hostPaths(): Set<string> {
    const paths = new Set<string>();
    if (!this.control.closed) paths.add(ipcPath(this.control.url));
    for (const inst of this.instances.values()) {
      if (inst.source && !inst.source.closed) paths.add(ipcPath(inst.source.url));
      if (inst.sink) paths.add(ipcPath(inst.sink.ackUrl));
    }
    for (const s of this.extraSources) if (!s.closed) paths.add(ipcPath(s.url));
    for (const f of this.functions.values()) if (!f.closed) paths.add(ipcPath(f.url));
    return paths;
  }

  /** SIGTERM (grace) then SIGKILL, and every host end closed: nothing is left behind. */
  async teardown(): Promise<void> {
    await this.process?.terminate(this.opts.timeouts.graceMs);
    for (const inst of this.instances.values()) {
      await inst.source?.close();
      await inst.sink?.close();
    }
    for (const s of this.extraSources) await s.close();
    for (const f of this.functions.values()) await f.close();
    await this.control.close();
    OPEN.delete(this);
  }

  private async listen(channel: { listen(): Promise<void> }, url: string): Promise<void> {
    try {
      await channel.listen();
    } catch (err) {
      if (NngError.is(err, "PORTABLE_E_ADDR_IN_USE")) {
        throw new ConformanceError(
          "PORTABLE_E_CONF_IN_USE",
          `${ipcPath(url)} is live: another process listens there (another host, or a plugin with the same function name), ${await describeHolders(ipcPath(url))}`,
          { path: ipcPath(url), cause: err },
        );
      }
      throw ConformanceError.from(err, "PORTABLE_E_CONF_SOCKET", `cannot listen on ${url}`);
    }
  }
}

function describe(err: unknown, timeoutText: string): string {
  if (err instanceof ExchangeError) {
    if (err.failure === "no-answer" || err.failure === "no-request") return timeoutText;
    if (err.failure === "exited") return `${err.message} while the host waited`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
