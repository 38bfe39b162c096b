// A sink instance as an application sees it (PROTOCOL.md §4.5, §5.3.2):
// `write(rows)` pushes one message; when the sink's config has
// `requireAck: true` it then waits for that message's ack, at most the ack
// timeout, returning at once on cancellation. The ack PULL is listened on
// for every sink (the Python SDK dials it regardless); the data PUSH dials
// the plugin's listener after `ok` and keeps reconnecting across restarts.

import { NngError, PullSocket, PushSocket } from "@portable-plugins/nng";
import {
  type Control,
  decodeSinkAckWithWarnings,
  encodeSinkData,
  instanceKey,
  ipcPath,
  type JsonObject,
  type JsonValue,
  type Meta,
  sinkAckChannelUrl,
  sinkChannelUrl,
} from "@portable-plugins/protocol";
import { HostError } from "../../errors.js";
import { wireFault } from "../control-channel.js";
import { isWireFault, preview } from "../inverted-rep.js";
import { removeStaleSocket } from "../socket-files.js";
import { checkStartConfig } from "../typed-values.js";
import type { ProxyDeps } from "./instance.js";

/** Bodies above this are accepted but warned about: the Go SDK's sink refuses them (§2.5). */
const GO_SDK_MAX_MESSAGE = 1024 * 1024;

export interface WriteOptions {
  /** Aborting makes a write waiting for its ack fail at once (PORTABLE_E_CLOSED). */
  readonly signal?: AbortSignal;
}

interface AckWaiter {
  resolve(ack: Buffer): void;
  reject(error: HostError): void;
}

export class SinkProxy {
  readonly plugin: string;
  readonly symbol: string;
  readonly meta: Meta;
  /** The data channel the plugin listens on. */
  readonly url: string;
  /** The ack channel the host listens on. */
  readonly ackUrl: string;
  /** Whether writes wait for acks (`config.requireAck === true`). */
  readonly requireAck: boolean;
  readonly #deps: ProxyDeps;
  readonly #control: Control;
  readonly #ack: PullSocket;
  readonly #push: PushSocket;
  readonly #acks: Buffer[] = [];
  #waiter: AckWaiter | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #fatal: HostError | undefined;
  #closing: Promise<void> | undefined;

  private constructor(deps: ProxyDeps, control: Control, ack: PullSocket, push: PushSocket) {
    this.#deps = deps;
    this.#control = control;
    this.#ack = ack;
    this.#push = push;
    this.plugin = deps.plugin.name;
    this.symbol = control.symbolName;
    this.meta = control.meta as Meta;
    this.url = sinkChannelUrl(this.meta, deps.socketDir);
    this.ackUrl = sinkAckChannelUrl(this.meta, deps.socketDir);
    this.requireAck = control.config?.["requireAck"] === true;
  }

  /** Listens for acks, sends the start, dials the data channel (§5.3.2). */
  static async open(
    deps: ProxyDeps,
    symbol: string,
    meta: Meta,
    config: JsonObject,
  ): Promise<SinkProxy> {
    try {
      if (deps.plugin.checkTypes) checkStartConfig(deps.plugin.plugin, "sink", symbol, config);
    } catch (err) {
      deps.release();
      throw err;
    }
    const control: Control = {
      symbolName: symbol,
      meta,
      pluginType: "sink",
      ...(Object.keys(config).length ? { config } : {}),
    };
    const limit = deps.plugin.maxMessageBytes;
    const ack = new PullSocket({ recvMaxSize: limit });
    // Reconnects like the reference host's: 100 ms growing to 5 s (§2.6).
    const push = new PushSocket({
      sendTimeout: deps.timeouts.sendMs,
      reconnectTime: 100,
      reconnectMaxTime: 5000,
    });
    const proxy = new SinkProxy(deps, control, ack, push);
    ack.onPipeEvent((e) => {
      if (e.type !== "error" || ack.closed || !isWireFault(e.error)) return;
      deps.logger.error(
        wireFault(e.error, "sink ack channel", proxy.#context(proxy.ackUrl), limit).message,
      );
    });
    const key = instanceKey(meta);
    const id = `sink:${key}`;
    try {
      await ack.listen(proxy.ackUrl);
    } catch (cause) {
      deps.release();
      await Promise.all([ack.close(), push.close()]);
      throw new HostError(
        "PORTABLE_E_CHANNEL",
        `plugin ${deps.plugin.name}: sink ${symbol} ${key}: cannot listen on ${proxy.ackUrl}: ${(cause as Error).message}`,
        { plugin: deps.plugin.name, symbol, channel: proxy.ackUrl, cause },
      );
    }
    deps.plugin.attach(id, meta.ruleId);
    try {
      await deps.plugin.startInstance("sink", key, control, proxy);
    } catch (err) {
      deps.plugin.detach(id);
      deps.release();
      await Promise.all([ack.close(), push.close()]);
      throw HostError.from(err, "PORTABLE_E_COMMAND", {
        plugin: deps.plugin.name,
        symbol,
        channel: proxy.url,
      });
    }
    await push.dial(proxy.url, { blocking: false });
    void proxy.#pumpAcks();
    return proxy;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  #context(channel = this.url) {
    return { plugin: this.plugin, symbol: this.symbol, channel };
  }

  #prefix(): string {
    return `plugin ${this.plugin}: sink ${this.symbol} ${instanceKey(this.meta)}`;
  }

  async #pumpAcks(): Promise<void> {
    for (;;) {
      let ack: Buffer;
      try {
        ack = await this.#ack.recv();
      } catch {
        return; // closed
      }
      const waiter = this.#waiter;
      this.#waiter = undefined;
      if (waiter) waiter.resolve(ack);
      else this.#acks.push(ack);
    }
  }

  /**
   * Sends one message: a row object, an array of rows, or raw bytes (sent
   * as they are). With `requireAck`, resolves on a success ack and throws
   * PORTABLE_E_SINK on an error ack and PORTABLE_E_TIMEOUT without one.
   * Writes are sent one after the other, in call order.
   */
  write(data: JsonValue | Uint8Array, opts: WriteOptions = {}): Promise<void> {
    const next = this.#queue.then(() => this.#write(data, opts));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #write(data: JsonValue | Uint8Array, opts: WriteOptions): Promise<void> {
    if (this.#fatal) throw this.#fatal;
    if (this.#closing) throw this.#closedError();
    if (opts.signal?.aborted) throw this.#cancelledError();
    // Acks queued now belong to earlier messages whose wait timed out (§5.3.2).
    const stale = this.#acks.splice(0);
    if (stale.length)
      this.#deps.logger.debug(`${this.#prefix()}: discarded ${stale.length} late ack(s)`);
    const body = data instanceof Uint8Array ? data : encodeSinkData(data);
    if (body.byteLength > GO_SDK_MAX_MESSAGE) {
      this.#deps.logger.warn(
        `${this.#prefix()}: message of ${body.byteLength} bytes; a Go SDK sink refuses messages above 1 MiB`,
      );
    }
    try {
      await this.#push.send(body);
    } catch (err) {
      if (this.#fatal) throw this.#fatal;
      if (NngError.is(err, "PORTABLE_E_TIMEOUT")) {
        throw new HostError(
          "PORTABLE_E_TIMEOUT",
          `${this.#prefix()}: the plugin did not take the message within ${this.#deps.timeouts.sendMs} ms on ${this.url}`,
          { ...this.#context(), cause: err },
        );
      }
      if (this.#closing) throw this.#closedError();
      throw HostError.from(err, "PORTABLE_E_CHANNEL", this.#context());
    }
    if (!this.requireAck) return;
    const ack = await this.#nextAck(opts.signal);
    let result: ReturnType<typeof decodeSinkAckWithWarnings>;
    try {
      result = decodeSinkAckWithWarnings(ack);
    } catch (cause) {
      // §9.2: an undecodable ack counts as a failed ack of that message.
      throw new HostError("PORTABLE_E_SINK", `${this.#prefix()}: undecodable ack ${preview(ack)}`, {
        ...this.#context(this.ackUrl),
        cause,
      });
    }
    if (!result.value.ok) {
      throw new HostError(
        "PORTABLE_E_SINK",
        `${this.#prefix()}: ${result.value.error}`,
        this.#context(this.ackUrl),
      );
    }
  }

  #nextAck(signal: AbortSignal | undefined): Promise<Buffer> {
    const queued = this.#acks.shift();
    if (queued) return Promise.resolve(queued);
    const ms = this.#deps.timeouts.ackMs;
    return new Promise<Buffer>((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        if (this.#waiter === waiter) this.#waiter = undefined;
      };
      const waiter: AckWaiter = {
        resolve: (ack) => {
          settle();
          resolve(ack);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      const timer = setTimeout(
        () =>
          waiter.reject(
            new HostError(
              "PORTABLE_E_TIMEOUT",
              `${this.#prefix()}: no ack within ${ms} ms on ${this.ackUrl} (requireAck is true; note that Go SDK plugins never send acks)`,
              this.#context(this.ackUrl),
            ),
          ),
        ms,
      );
      const onAbort = () => waiter.reject(this.#cancelledError());
      this.#waiter = waiter;
      if (signal?.aborted) onAbort();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #cancelledError(): HostError {
    return new HostError(
      "PORTABLE_E_CLOSED",
      `${this.#prefix()}: write cancelled`,
      this.#context(this.ackUrl),
    );
  }

  #closedError(): HostError {
    return new HostError("PORTABLE_E_CLOSED", `${this.#prefix()}: closed`, this.#context());
  }

  /** InstanceOwner: the replay failed or the plugin gave up; writes throw `error`. */
  failed(error: HostError): void {
    this.#fatal ??= error;
    this.#waiter?.reject(error);
    void this.close();
  }

  /** Closes the data channel, then the ack channel, then stops the instance (§5.1 rule 4). Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#waiter?.reject(this.#closedError());
      await this.#push.close();
      await this.#ack.close();
      const key = instanceKey(this.meta);
      await this.#deps.plugin.stopInstance("sink", key, this.#control);
      this.#deps.plugin.detach(`sink:${key}`);
      this.#deps.release();
      // A plugin killed while this sink ran leaves its data listener's file behind.
      await removeStaleSocket(ipcPath(this.url));
    })();
    return this.#closing;
  }
}
