// A function symbol as an application sees it (PROTOCOL.md §4.6, §5.3.3).
// Every proxy of a symbol shares the plugin's one channel for it, so calls
// from all rules are serialized there. The channel is looked up per call: a
// plugin restart or a re-established channel is picked up transparently; a
// call in flight when the process dies fails (delivery is at-most-once, §8.2).

import type { FuncMeta, JsonValue } from "@portable-plugins/protocol";
import { HostError } from "../../errors.js";
import { CallFailure, type ExecOutcome, type FunctionChannel } from "../function-channel.js";
import type { ManagedPlugin } from "../managed-plugin.js";
import { signatureLookup, typeError } from "../typed-values.js";

/** Where a call comes from (§4.6.2); `instanceId` and `funcId` default to 0. */
export interface CallContext {
  readonly ruleId: string;
  readonly opId: string;
  readonly instanceId?: number;
  readonly funcId?: number;
}

function funcMeta(ctx: CallContext): FuncMeta {
  return {
    ruleId: ctx.ruleId,
    opId: ctx.opId,
    instanceId: ctx.instanceId ?? 0,
    funcId: ctx.funcId ?? 0,
  };
}

export class FunctionProxy {
  readonly plugin: string;
  readonly symbol: string;
  readonly #mp: ManagedPlugin;
  readonly #id: string;
  readonly #signature: ReturnType<typeof signatureLookup>;
  #closed = false;

  constructor(mp: ManagedPlugin, symbol: string, id: string) {
    this.#mp = mp;
    this.plugin = mp.name;
    this.symbol = symbol;
    this.#id = id;
    this.#signature = mp.checkTypes ? signatureLookup(() => mp.plugin, symbol) : () => undefined;
  }

  /** Starts the function in the plugin if it is not yet (the first use does). */
  static async open(mp: ManagedPlugin, symbol: string, id: string): Promise<FunctionProxy> {
    mp.attach(id);
    try {
      await mp.functionChannel(symbol);
    } catch (err) {
      mp.detach(id);
      throw err;
    }
    return new FunctionProxy(mp, symbol, id);
  }

  /**
   * Resolves when the plugin accepts `args`; PORTABLE_E_FUNCTION with its
   * message when not. Arguments that do not fit a declared signature
   * (PROTOCOL.md §6.4.1) are refused here first with PORTABLE_E_TYPE.
   */
  validate(args: JsonValue[]): Promise<void> {
    const err = this.#argsError(args);
    if (err) return Promise.reject(err);
    return this.#call((ch) => ch.validate(args));
  }

  /**
   * The function's value (null: no value); PORTABLE_E_FUNCTION when it
   * failed; PORTABLE_E_TYPE, without a call, when `args` do not fit the
   * declared signature.
   */
  exec(args: JsonValue[], ctx: CallContext): Promise<JsonValue> {
    const err = this.#argsError(args);
    if (err) return Promise.reject(err);
    const context = funcMeta(ctx);
    return this.#call((ch) => ch.exec(args, context));
  }

  /** The PORTABLE_E_TYPE error for `args`, or undefined when they fit (or nothing is declared). */
  #argsError(args: readonly JsonValue[]): HostError | undefined {
    const problem = this.#signature()?.checkArgs(args);
    return problem && typeError(this.plugin, "function", this.symbol, problem);
  }

  /**
   * A micro-batch: Exec of each `args` of `argsList` with one context. On a
   * version-2 plugin they leave in one message (split at the limits,
   * PROTOCOL.md §12.3); on version 1 one after the other. Each outcome is the
   * call's value or its own error (PORTABLE_E_TYPE, without sending it, for
   * arguments that do not fit a declared signature; a FunctionCallError on version 2, with the
   * plugin's code and class; a batch error the plugin sent is every call's
   * error); the promise rejects when the batch as a whole failed here
   * (channel closed, no reply in time, an unusable reply batch).
   */
  async execBatch(argsList: readonly JsonValue[][], ctx: CallContext): Promise<ExecOutcome[]> {
    const context = funcMeta(ctx);
    if (this.#signature() === undefined) return this.#call((ch) => ch.execBatch(argsList, context));
    // Calls whose arguments do not fit get their PORTABLE_E_TYPE outcome here; the others go.
    const outcomes: (ExecOutcome | undefined)[] = argsList.map((args) => {
      const error = this.#argsError(args);
      return error && { ok: false, error };
    });
    const sent = argsList.filter((_, i) => outcomes[i] === undefined);
    const replies = sent.length ? await this.#call((ch) => ch.execBatch(sent, context)) : [];
    let next = 0;
    return outcomes.map((o) => o ?? (replies[next++] as ExecOutcome));
  }

  /** Whether it aggregates; asked once per channel, then cached. */
  isAggregate(): Promise<boolean> {
    return this.#call((ch) => ch.isAggregate());
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Releases this proxy; the function keeps running in the plugin for others (§5.3.3). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#mp.detach(this.#id);
  }

  async #call<T>(op: (ch: FunctionChannel) => Promise<T>): Promise<T> {
    if (this.#closed) {
      throw new HostError(
        "PORTABLE_E_CLOSED",
        `plugin ${this.plugin}: function ${this.symbol}: proxy closed`,
        {
          plugin: this.plugin,
          symbol: this.symbol,
        },
      );
    }
    const ch =
      this.#mp.openFunctionChannel(this.symbol) ?? (await this.#mp.functionChannel(this.symbol));
    try {
      return await op(ch);
    } catch (err) {
      // No request to reply to: the call was not sent and the channel is dead (§5.2).
      if (!(err instanceof CallFailure) || err.failure !== "no-request") throw err;
      await this.#mp.reestablish(this.symbol, ch);
      return op(await this.#mp.functionChannel(this.symbol));
    }
  }
}
