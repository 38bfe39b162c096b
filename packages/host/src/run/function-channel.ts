// One function channel (PROTOCOL.md §4.6, §5.3.3): REP on `func_<symbol>.ipc`,
// calls Validate / Exec / IsAggregate strictly one at a time, replies decoded
// as FuncReply. A channel lives as long as its plugin process; when no
// request comes while one is needed it is dead, and the owner re-establishes
// it (ManagedPlugin), which is why failures carry their ExchangeFailure.
// One connection at a time (a second one is refused and logged); a
// connection that breaks the wire format (no SP header, a message over the
// size limit) closes the channel at once with that error, and the next call
// starts the function again. On a version-2 process (§12.3) calls go
// through a FunctionBatcher instead: queued, sent many per round trip.

import {
  checkLaterHandshake,
  encodeFunctionCall,
  type FuncMeta,
  FuncReply,
  type FunctionCall,
  functionChannelUrl,
  type JsonValue,
  type ReplyV2,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { HostLogger } from "../logger.js";
import { versionError, wireFault } from "./control-channel.js";
import { type CallRequest, FunctionBatcher, replyValue } from "./function-batcher.js";
import { ExchangeError, type ExchangeFailure, InvertedRep, preview } from "./inverted-rep.js";

export interface FunctionChannelOptions {
  readonly plugin: string;
  readonly symbol: string;
  readonly socketDir: string;
  readonly callTimeoutMs: number;
  readonly logger: HostLogger;
  /** Largest message accepted from the plugin (§2.5). */
  readonly maxMessageBytes: number;
  /** The version agreed on the control channel (§10.4); default 1. */
  readonly protocolVersion?: number;
  /** A handshake of another form than the agreed one arrived (§10.4): the channel is closed already. */
  readonly versionBroken?: (error: HostError) => void;
}

/** A call that failed without a reply; `failure` says whether the channel looks dead. */
export class CallFailure extends HostError {
  readonly failure: ExchangeFailure;
  constructor(error: HostError, failure: ExchangeFailure) {
    super(error.code, error.message, error.context);
    this.failure = failure;
  }
}

export class FunctionChannel {
  readonly plugin: string;
  readonly symbol: string;
  readonly url: string;
  readonly #rep: InvertedRep;
  readonly #opts: FunctionChannelOptions;
  #aggregate: Promise<boolean> | undefined;
  readonly #batcher: FunctionBatcher | undefined;

  constructor(opts: FunctionChannelOptions) {
    this.plugin = opts.plugin;
    this.symbol = opts.symbol;
    this.url = functionChannelUrl(opts.symbol, opts.socketDir);
    this.#opts = opts;
    this.#rep = new InvertedRep(
      this.url,
      `plugin ${opts.plugin} function ${opts.symbol}`,
      opts.logger,
      opts.maxMessageBytes,
      {
        refused: (c) =>
          opts.logger.warn(
            `${this.#prefix()}: refused a second connection at ${c.at.toISOString()}: the channel serves one process at a time`,
          ),
        fault: (err) => {
          const error = wireFault(err, "function channel", this.#context, opts.maxMessageBytes);
          opts.logger.error(error.message);
          void this.#rep.close(error);
        },
      },
    );
    this.#rep.versionGuard = (message) => this.#versionCheck(message);
    if ((opts.protocolVersion ?? 1) >= 2) {
      this.#batcher = new FunctionBatcher(
        (body, calls) => this.#exchangeV2(body, calls),
        (detail) =>
          new HostError("PORTABLE_E_CHANNEL", `${this.#prefix()}: ${detail}`, this.#context),
      );
    }
  }

  async #exchangeV2(body: Buffer, calls: number): Promise<Buffer> {
    try {
      return await this.#rep.exchange(body, this.#opts.callTimeoutMs);
    } catch (err) {
      throw this.#failure(
        err,
        `batch of ${calls} calls: no reply within ${this.#opts.callTimeoutMs} ms`,
      );
    }
  }

  /** Version 2: one call through the batch queue; its value or its typed error. */
  async #callV2(call: CallRequest, what: string): Promise<JsonValue> {
    const [reply] = (this.#batcher as FunctionBatcher).submit([call]);
    return replyValue(
      await (reply as Promise<ReplyV2>),
      this.#context,
      `${this.#prefix()}: ${what}`,
    );
  }

  /**
   * Exec of every `args` of `argsList`, queued together so they leave in one
   * batch (split at the limits, §12.2): each call's value or its own error.
   * On version 1 the calls go one per round trip. Rejects only when the
   * channel failed (a batch-level failure fails the batch's calls).
   */
  async execBatch(argsList: readonly JsonValue[][], context: FuncMeta): Promise<ExecOutcome[]> {
    if (this.#batcher === undefined) {
      const out: ExecOutcome[] = [];
      for (const args of argsList) {
        try {
          out.push({ ok: true, value: await this.exec(args, context) });
        } catch (err) {
          if (err instanceof CallFailure || !HostError.is(err, "PORTABLE_E_FUNCTION")) throw err;
          out.push({ ok: false, error: err });
        }
      }
      return out;
    }
    const replies = this.#batcher.submit(argsList.map((args) => ({ kind: "EXEC", args, context })));
    const settled = await Promise.allSettled(replies);
    const failed = settled.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
    return settled.map((r) => {
      const reply = (r as PromiseFulfilledResult<ReplyV2>).value;
      try {
        return {
          ok: true,
          value: replyValue(reply, this.#context, `${this.#prefix()}: exec failed`),
        };
      } catch (error) {
        return { ok: false, error: error as HostError };
      }
    });
  }

  /** Every handshake of the process has the agreed form (§10.3, §10.4). */
  #versionCheck(message: Buffer): HostError | undefined {
    const text = checkLaterHandshake(message, this.#opts.protocolVersion ?? 1);
    if (text === undefined) return undefined;
    const error = versionError(this.plugin, this.url, text, message, this.symbol);
    this.#opts.logger.error(error.message);
    this.#opts.versionBroken?.(error);
    return error;
  }

  get #context() {
    return { plugin: this.plugin, symbol: this.symbol, channel: this.url };
  }

  #prefix(): string {
    return `plugin ${this.plugin}: function ${this.symbol} (${this.url})`;
  }

  /** Listens; before the function's start command is sent (§5.1). */
  async listen(): Promise<void> {
    try {
      await this.#rep.listen();
    } catch (cause) {
      throw new HostError(
        "PORTABLE_E_CHANNEL",
        `${this.#prefix()}: cannot listen: ${(cause as Error).message}`,
        { ...this.#context, cause },
      );
    }
  }

  /** The plugin's first request after the start command's `ok` (§5.3.3, init timeout). */
  async ready(initTimeoutMs: number): Promise<void> {
    let first: Buffer;
    try {
      first = await this.#rep.first(initTimeoutMs);
    } catch (err) {
      throw this.#failure(err, `no first request within ${initTimeoutMs} ms`);
    }
    const broken = this.#versionCheck(first);
    if (broken !== undefined) {
      await this.#rep.close(broken);
      throw broken;
    }
  }

  get closed(): boolean {
    return this.#rep.closed;
  }

  /** Version 2: call batches sent on this channel and the calls they held (0 on version 1). */
  get batchStats(): { readonly batches: number; readonly calls: number } {
    return this.#batcher?.stats ?? { batches: 0, calls: 0 };
  }

  get resends(): number {
    return this.#rep.resends;
  }

  close(reason?: HostError): Promise<void> {
    return this.#rep.close(reason);
  }

  /** Validate: resolves when valid; PORTABLE_E_FUNCTION with the plugin's message when not. */
  async validate(args: JsonValue[]): Promise<void> {
    if (this.#batcher) {
      await this.#callV2({ kind: "VALIDATE", args }, "invalid arguments");
      return;
    }
    const reply = await this.#call({ func: "Validate", args });
    if (!reply.state) {
      throw new HostError(
        "PORTABLE_E_FUNCTION",
        `${this.#prefix()}: invalid arguments: ${resultText(reply.result)}`,
        this.#context,
      );
    }
  }

  /** Exec: the result; `state:false` with a `null` result is "no value" (null), otherwise an error. */
  async exec(args: JsonValue[], context: FuncMeta): Promise<JsonValue> {
    if (this.#batcher) return this.#callV2({ kind: "EXEC", args, context }, "exec failed");
    const reply = await this.#call({ func: "Exec", args, context });
    if (reply.state || reply.result === null) return reply.result;
    throw new HostError(
      "PORTABLE_E_FUNCTION",
      `${this.#prefix()}: exec failed: ${resultText(reply.result)}`,
      this.#context,
    );
  }

  /** IsAggregate, asked once per channel (§4.6.1); anything but `true` is false. */
  isAggregate(): Promise<boolean> {
    this.#aggregate ??= this.#batcher
      ? this.#callV2({ kind: "IS_AGGREGATE", args: [] }, "isAggregate").then((r) => r === true)
      : this.#call({ func: "IsAggregate" }).then((r) => r.state && r.result === true);
    const asked = this.#aggregate;
    asked.catch(() => {
      if (this.#aggregate === asked) this.#aggregate = undefined;
    });
    return asked;
  }

  async #call(call: FunctionCall): Promise<FuncReply> {
    const bytes = encodeFunctionCall(call);
    let raw: Buffer;
    try {
      raw = await this.#rep.exchange(bytes, this.#opts.callTimeoutMs);
    } catch (err) {
      throw this.#failure(err, `${call.func}: no reply within ${this.#opts.callTimeoutMs} ms`);
    }
    try {
      return FuncReply.decode(raw);
    } catch (cause) {
      // §9.2: fail the call, keep the channel.
      throw new HostError(
        "PORTABLE_E_CHANNEL",
        `${this.#prefix()}: ${call.func}: undecodable reply ${preview(raw)}: ${(cause as Error).message}`,
        { ...this.#context, cause },
      );
    }
  }

  #failure(err: unknown, timeoutText: string): CallFailure | HostError {
    if (!(err instanceof ExchangeError))
      return HostError.from(err, "PORTABLE_E_CHANNEL", this.#context);
    if (err.failure === "closed") {
      const base = HostError.is(err.cause)
        ? err.cause
        : new HostError("PORTABLE_E_CLOSED", `${this.#prefix()}: channel closed`, {
            ...this.#context,
            cause: err,
          });
      return new CallFailure(base, "closed");
    }
    const timeout = new HostError("PORTABLE_E_TIMEOUT", `${this.#prefix()}: ${timeoutText}`, {
      ...this.#context,
      cause: err,
    });
    return new CallFailure(timeout, err.failure);
  }
}

/** One call of an execBatch: its value, or the error it alone got. */
export type ExecOutcome =
  | { readonly ok: true; readonly value: JsonValue }
  | { readonly ok: false; readonly error: HostError };

/** The reply's result as text, for an error message. */
function resultText(result: JsonValue): string {
  return typeof result === "string" ? result : JSON.stringify(result);
}
