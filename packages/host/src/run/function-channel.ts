// One function channel (PROTOCOL.md §4.6, §5.3.3): REP on `func_<symbol>.ipc`,
// calls Validate / Exec / IsAggregate strictly one at a time, replies decoded
// as FuncReply. A channel lives as long as its plugin process; when no
// request comes while one is needed it is dead, and the owner re-establishes
// it (ManagedPlugin), which is why failures carry their ExchangeFailure.
// One connection at a time (a second one is refused and logged); a
// connection that breaks the wire format (no SP header, a message over the
// size limit) closes the channel at once with that error, and the next call
// starts the function again.

import {
  checkLaterHandshake,
  encodeFunctionCall,
  type FuncMeta,
  FuncReply,
  type FunctionCall,
  functionChannelUrl,
  type JsonValue,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { HostLogger } from "../logger.js";
import { versionError, wireFault } from "./control-channel.js";
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

  get resends(): number {
    return this.#rep.resends;
  }

  close(reason?: HostError): Promise<void> {
    return this.#rep.close(reason);
  }

  /** Validate: resolves when valid; PORTABLE_E_FUNCTION with the plugin's message when not. */
  async validate(args: JsonValue[]): Promise<void> {
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
    this.#aggregate ??= this.#call({ func: "IsAggregate" }).then(
      (r) => r.state && r.result === true,
    );
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

/** The reply's result as text, for an error message. */
function resultText(result: JsonValue): string {
  return typeof result === "string" ? result : JSON.stringify(result);
}
