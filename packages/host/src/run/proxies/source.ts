// A source instance as an application sees it (PROTOCOL.md §4.4, §5.3.1): an
// async iterable of rows `{message, meta}`. The PULL listener is opened before
// the start command and kept across plugin restarts (the restarted plugin
// re-dials it after the replay), so iteration just resumes after a gap.
//
// Errors: an error item from the plugin does not end the instance (§4.4.2);
// it goes to `onError` (or the log) and is counted. Iteration throws only
// when the instance is gone for good: its replay failed or the plugin gave
// up restarting (a HostError); after `close()` it simply ends.
//
// Version 2 (§12.4), when the plugin process agreed on it: a message carries
// many rows (SourceRowsV2, either form) and a typed error. Back-pressure is
// the same in both versions: the socket is read only as the consumer takes
// rows, and the PULL socket's queue pauses reading a pipe at
// PIPE_QUEUE_MESSAGES or PIPE_QUEUE_BYTES, so the plugin's writes block.

import { PIPE_QUEUE_BYTES, PIPE_QUEUE_MESSAGES, PullSocket } from "@portable-plugins/nng";
import {
  type Control,
  decodeSourceItemWithWarnings,
  decodeSourceRows,
  type ErrorV2,
  instanceKey,
  isJsonObject,
  type JsonObject,
  type Meta,
  sourceChannelUrl,
} from "@portable-plugins/protocol";
import { HostError, remoteErrorText } from "../../errors.js";
import { wireFault } from "../control-channel.js";
import { isWireFault, preview } from "../inverted-rep.js";
import { checkStartConfig } from "../typed-values.js";
import type { ProxyDeps } from "./instance.js";

export interface SourceRow {
  readonly message: JsonObject;
  readonly meta: JsonObject | null;
}

/** §12.4: the most the host holds per source before it stops reading the channel. */
export const SOURCE_QUEUE_LIMITS = {
  messages: PIPE_QUEUE_MESSAGES,
  bytes: PIPE_QUEUE_BYTES,
} as const;

/** What a source instance holds now: received messages not yet decoded, decoded rows not yet taken. */
export interface SourceQueue {
  readonly messages: number;
  readonly bytes: number;
  readonly rows: number;
}

export interface SourceOptions {
  /** The stream's data source (topic, path...): sent as `dataSource` and as `config.datasource` (§4.3). */
  readonly dataSource?: string;
  /** Named configuration of `sources/<symbol>.yaml` (eKuiper's CONF_KEY); default `default`. */
  readonly confKey?: string;
  /** Properties laid over the resolved configuration, key by key. */
  readonly config?: JsonObject;
  /** Error items of the plugin (non-fatal). Without it they are logged as warnings. */
  readonly onError?: (error: HostError) => void;
}

export class SourceProxy implements AsyncIterable<SourceRow> {
  readonly plugin: string;
  readonly symbol: string;
  readonly meta: Meta;
  /** The data channel (`ipc:///tmp/<ruleId>_<opId>_<instanceId>.ipc`). */
  readonly url: string;
  /** Error items received. */
  errors = 0;
  /** Messages received, by protocol version of their body (§12.4: v2 carries many rows each). */
  readonly received = { v1: 0, v2: 0 };
  /** Messages dropped because they were not rows (logged). */
  dropped = 0;
  readonly #deps: ProxyDeps;
  readonly #pull: PullSocket;
  readonly #control: Control;
  readonly #onError: ((error: HostError) => void) | undefined;
  #rows: SourceRow[] = [];
  #head = 0;
  #fatal: HostError | undefined;
  #closing: Promise<void> | undefined;

  private constructor(deps: ProxyDeps, control: Control, pull: PullSocket, opts: SourceOptions) {
    this.#deps = deps;
    this.#control = control;
    this.#pull = pull;
    this.#onError = opts.onError;
    this.plugin = deps.plugin.name;
    this.symbol = control.symbolName;
    this.meta = control.meta as Meta;
    this.url = sourceChannelUrl(this.meta, deps.socketDir);
  }

  /** Listens, sends the start, and returns the running instance (§5.3.1). */
  static async open(
    deps: ProxyDeps,
    symbol: string,
    meta: Meta,
    config: JsonObject,
    opts: SourceOptions,
  ): Promise<SourceProxy> {
    try {
      if (deps.plugin.checkTypes)
        checkStartConfig(deps.plugin.plugin, "source", symbol, config, opts.dataSource);
    } catch (err) {
      deps.release();
      throw err;
    }
    const control: Control = {
      symbolName: symbol,
      meta,
      pluginType: "source",
      ...(opts.dataSource ? { dataSource: opts.dataSource } : {}),
      ...(Object.keys(config).length ? { config } : {}),
    };
    const url = sourceChannelUrl(meta, deps.socketDir);
    const limit = deps.plugin.maxMessageBytes;
    const pull = new PullSocket({ recvMaxSize: limit });
    const proxy = new SourceProxy(deps, control, pull, opts);
    // A row over the limit (or a peer that is not SP) closes that connection
    // before anything is allocated; the plugin's PUSH reconnects (§2.5).
    pull.onPipeEvent((e) => {
      if (e.type !== "error" || pull.closed || !isWireFault(e.error)) return;
      if (e.error.code === "PORTABLE_E_MSG_TOO_LARGE") proxy.dropped++;
      deps.logger.error(wireFault(e.error, "source channel", proxy.#context(), limit).message);
    });
    const key = instanceKey(meta);
    try {
      await pull.listen(url);
    } catch (cause) {
      deps.release();
      await pull.close();
      throw new HostError(
        "PORTABLE_E_CHANNEL",
        `plugin ${deps.plugin.name}: source ${symbol} ${key}: cannot listen on ${url}: ${(cause as Error).message}`,
        { plugin: deps.plugin.name, symbol, channel: url, cause },
      );
    }
    deps.plugin.attach(`source:${key}`, meta.ruleId);
    try {
      await deps.plugin.startInstance("source", key, control, proxy);
    } catch (err) {
      deps.plugin.detach(`source:${key}`);
      deps.release();
      await pull.close();
      throw HostError.from(err, "PORTABLE_E_COMMAND", {
        plugin: deps.plugin.name,
        symbol,
        channel: url,
      });
    }
    return proxy;
  }

  /** What is held now (see SourceQueue); bounded by SOURCE_QUEUE_LIMITS plus one message's rows. */
  queue(): SourceQueue {
    const q = this.#pull.queued();
    return { messages: q.messages, bytes: q.bytes, rows: this.#rows.length - this.#head };
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * An iterator over the rows. Leaving a `for await` loop early does not
   * close the instance (iterate again to go on); `close()` does.
   */
  [Symbol.asyncIterator](): AsyncIterator<SourceRow> {
    return {
      next: () => this.next(),
      return: async () => ({ done: true, value: undefined }),
    };
  }

  /** The next row; done after `close()`; throws when the instance is gone (see above). */
  next(): Promise<IteratorResult<SourceRow, undefined>> {
    // Hot path: rows decoded or messages already received are taken without
    // waiting, so a busy source costs no socket promise per row.
    if (!this.#fatal && !this.#closing) {
      try {
        for (;;) {
          const row = this.#shift();
          if (row) return Promise.resolve({ done: false, value: row });
          const raw = this.#pull.tryRecv();
          if (raw === undefined) break;
          this.#take(raw);
        }
      } catch (err) {
        return Promise.reject(err); // an onError callback threw: as from an async next()
      }
    }
    return this.#nextWaiting();
  }

  async #nextWaiting(): Promise<IteratorResult<SourceRow, undefined>> {
    for (;;) {
      const row = this.#shift();
      if (row) return { done: false, value: row };
      if (this.#fatal) throw this.#fatal;
      if (this.#closing) return { done: true, value: undefined };
      let raw: Buffer;
      try {
        raw = await this.#pull.recv();
      } catch (err) {
        if (this.#fatal) throw this.#fatal;
        if (this.#closing) return { done: true, value: undefined };
        throw HostError.from(err, "PORTABLE_E_CHANNEL", this.#context());
      }
      this.#take(raw);
    }
  }

  #context() {
    return { plugin: this.plugin, symbol: this.symbol, channel: this.url };
  }

  #prefix(): string {
    return `plugin ${this.plugin}: source ${this.symbol} ${instanceKey(this.meta)} (${this.url})`;
  }

  #shift(): SourceRow | undefined {
    if (this.#head >= this.#rows.length) return undefined;
    const row = this.#rows[this.#head] as SourceRow;
    this.#head++;
    if (this.#head === this.#rows.length) {
      this.#rows = [];
      this.#head = 0;
    }
    return row;
  }

  #take(raw: Buffer): void {
    if (this.#deps.plugin.protocolVersion >= 2) {
      this.#takeV2(raw);
      return;
    }
    this.received.v1++;
    const log = this.#deps.logger;
    let item: ReturnType<typeof decodeSourceItemWithWarnings>;
    try {
      item = decodeSourceItemWithWarnings(raw);
    } catch (err) {
      this.dropped++;
      log.warn(
        `${this.#prefix()}: dropped undecodable item ${preview(raw)}: ${(err as Error).message}`,
      );
      return;
    }
    for (const w of item.warnings)
      log.debug(`${this.#prefix()}: quirk ${w.code} at ${w.field || "(root)"}`);
    const value = item.value;
    if (value.type === "error") {
      this.errors++;
      const error = new HostError(
        "PORTABLE_E_SOURCE",
        `${this.#prefix()}: ${value.error}`,
        this.#context(),
      );
      if (this.#onError) this.#onError(error);
      else log.warn(error.message);
      return;
    }
    // An object is a row; an array of objects is that many rows sharing meta (§4.4.1).
    const messages = Array.isArray(value.message) ? value.message : [value.message];
    for (const message of messages) {
      if (isJsonObject(message)) this.#rows.push({ message, meta: value.meta });
      else {
        this.dropped++;
        log.warn(`${this.#prefix()}: dropped a message that is not an object: ${preview(raw)}`);
      }
    }
  }

  #takeV2(raw: Buffer): void {
    let msg: ReturnType<typeof decodeSourceRows>;
    try {
      msg = decodeSourceRows(raw);
    } catch (err) {
      this.dropped++;
      this.#deps.logger.warn(
        `${this.#prefix()}: dropped undecodable version-2 message ${preview(raw)}: ${(err as Error).message}`,
      );
      return;
    }
    this.received.v2++;
    for (const r of msg.rows) this.#rows.push({ message: r.message, meta: r.meta ?? null });
    if (msg.error) this.#sourceError(msg.error);
  }

  /** A typed error of the plugin (§12.6): the class and code ride along in the HostError. */
  #sourceError(e: ErrorV2): void {
    this.errors++;
    const error = new HostError(
      "PORTABLE_E_SOURCE",
      remoteErrorText(this.#prefix(), "PORTABLE_E_SOURCE", e),
      {
        ...this.#context(),
        remoteCode: e.code,
        errorClass: e.class,
      },
    );
    if (this.#onError) this.#onError(error);
    else this.#deps.logger.warn(error.message);
  }

  /** InstanceOwner: the replay failed or the plugin gave up; iteration throws `error`. */
  failed(error: HostError): void {
    this.#fatal ??= error;
    void this.close();
  }

  /** Closes the data channel, then stops the instance in the plugin (§5.1 rule 4). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await this.#pull.close();
      const key = instanceKey(this.meta);
      await this.#deps.plugin.stopInstance("source", key, this.#control);
      this.#deps.plugin.detach(`source:${key}`);
      this.#deps.release();
    })();
    return this.#closing;
  }
}
