// One case's host: the control channel, the plugin process, and the data
// channels of every symbol the case started. It follows the host's ordering
// rules (PROTOCOL.md §5.1: listen before the start, dial the sink after `ok`,
// close the host ends before the stop) and remembers the starts answered `ok`
// for replay after a restart (§8). It never judges: steps do.
// This module keeps the books (process, instances, replay, teardown); the
// control exchange is control-exchange.ts, each kind's host ends kinds/*.ts.

import {
  type CallV2,
  controlChannelUrl,
  ipcPath,
  type SymbolKind,
} from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import {
  buildControl,
  describeFailure,
  encodeCommand,
  exchangeOutcome,
} from "./control-exchange.js";
import { listenHostEnd } from "./host-listen.js";
import { functionDriver } from "./kinds/function.js";
import type { KindDriver, SymbolHost } from "./kinds/kind-driver.js";
import { sinkDriver } from "./kinds/sink.js";
import { sourceDriver } from "./kinds/source.js";
import { trackOpen, untrackOpen } from "./open-sessions.js";
import { describeExit, PluginProcess } from "./plugin-process.js";
import { RepChannel, type StopSignal } from "./rep-channel.js";
import type { Instance, Outcome, SessionOptions, StartSpec } from "./session-types.js";
import type { SourceChannel } from "./source-channel.js";
import type { Transcript } from "./transcript.js";

export type { Instance, Outcome, SessionOptions, StartSpec } from "./session-types.js";

/** Each kind's host side of a start and a stop. */
const DRIVERS: Readonly<Record<SymbolKind, KindDriver>> = {
  source: sourceDriver,
  sink: sinkDriver,
  function: functionDriver,
};

export class Session implements SymbolHost {
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
  /** The calls of the last version-2 call batch (§12.3); undefined after any other call. */
  lastBatchCalls: readonly CallV2[] | undefined;
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
    trackOpen(this);
    await listenHostEnd(this.control, this.control.url, {
      inUse: `another host runs a plugin named ${this.opts.plugin}`,
      failed: "cannot listen on the control channel",
    });
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
      return describeFailure(
        err,
        `no request on the control channel within ${this.opts.timeouts.initMs} ms`,
      );
    }
  }

  /** Sends raw bytes as a command and records the outcome as the last answer. */
  async command(bytes: Buffer): Promise<Outcome> {
    const ms = this.opts.timeouts.commandMs;
    const outcome = await exchangeOutcome(
      this.control,
      bytes,
      ms,
      this.stopSignal(),
      `no answer within ${ms} ms`,
    );
    this.lastAnswer = outcome;
    return outcome;
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
    const control = buildControl(spec, this.opts.ruleId);
    const command = encodeCommand("start", control, spec);
    const key = spec.kind === "function" ? `function:${spec.symbol}` : spec.as;
    const ends = await DRIVERS[spec.kind].open(this, spec, control, this.instances.get(key));
    const outcome = await this.command(command);
    if (outcome.answer !== "ok") {
      // §9.1: a failed start is not remembered; the host closes its ends.
      await ends.discard();
      return { outcome };
    }
    this.instances.set(key, {
      kind: spec.kind,
      symbol: spec.symbol,
      label: spec.as,
      control,
      command,
      ...(ends.source ? { source: ends.source } : {}),
      ...(ends.sink ? { sink: ends.sink } : {}),
      running: true,
    });
    const failure = await ends.settle();
    return failure ? { outcome, channelFailure: failure } : { outcome };
  }

  async awaitFunction(fn: RepChannel): Promise<string | undefined> {
    try {
      await fn.first(this.opts.timeouts.initMs, this.stopSignal());
      return undefined;
    } catch (err) {
      return describeFailure(
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
    const driver = DRIVERS[inst.kind];
    await driver.close(inst);
    inst.running = driver.runsAfterStop;
    const outcome = await this.command(encodeCommand("stop", inst.control));
    if (!driver.runsAfterStop) {
      this.instances.delete(label);
      this.stopped.set(label, inst);
    }
    return outcome;
  }

  async call(symbol: string, bytes: Buffer): Promise<Outcome> {
    const fn = this.functions.get(symbol);
    const ms = this.opts.timeouts.callMs;
    const outcome: Outcome = fn
      ? await exchangeOutcome(fn, bytes, ms, this.stopSignal(), `no reply within ${ms} ms`)
      : { failure: `function ${symbol} was not started`, keepalives: 0 };
    this.lastReply = outcome;
    this.lastBatchCalls = undefined;
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
        const failure = await DRIVERS[kind].replayed(this, inst);
        if (failure) failures.push(`${kind} ${inst.symbol} after replay: ${failure}`);
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
    untrackOpen(this);
  }
}
