// The function channels of a managed plugin's current process (PROTOCOL.md
// §5.3.3): one per function symbol, opened on first use (listen, send the
// start, wait for the first request) and remembered for replay; a dead
// channel is re-established (§5.2), and all close when the process exits.

import { HostError } from "../errors.js";
import { type ControlChannel, type EncodedCommand, encodeCommand } from "./control-channel.js";
import { FunctionChannel } from "./function-channel.js";
import type { PluginState, Running } from "./plugin-state.js";

export class FunctionChannels {
  readonly #s: PluginState;
  readonly #running: Running;
  readonly #funcs = new Map<string, FunctionChannel>();
  readonly #funcStarts = new Map<string, Promise<FunctionChannel>>();

  constructor(state: PluginState, running: Running) {
    this.#s = state;
    this.#running = running;
  }

  /** Commands and calls sent again because a keepalive arrived first, over all open channels. */
  get resends(): number {
    return [...this.#funcs.values()].reduce((n, ch) => n + ch.resends, 0);
  }

  /** Version 2: call batches sent and the calls they held, over all open channels. */
  get batches(): { batches: number; calls: number } {
    let batches = 0;
    let calls = 0;
    for (const ch of this.#funcs.values()) {
      batches += ch.batchStats.batches;
      calls += ch.batchStats.calls;
    }
    return { batches, calls };
  }

  /**
   * The open channel of function `symbol` if the process runs, without
   * waiting: every call looks its channel up, and most find it open.
   */
  open(symbol: string): FunctionChannel | undefined {
    if (this.#s.phase !== "running") return undefined;
    const ch = this.#funcs.get(symbol);
    return ch && !ch.closed ? ch : undefined;
  }

  /** The channel of function `symbol`, starting the process and the function as needed. */
  async channel(symbol: string): Promise<FunctionChannel> {
    for (;;) {
      await this.#running.ensureRunning();
      const open = this.#funcs.get(symbol);
      if (open && !open.closed) return open;
      let pending = this.#funcStarts.get(symbol);
      if (!pending) {
        pending = this.#startFunction(symbol).finally(() => this.#funcStarts.delete(symbol));
        this.#funcStarts.set(symbol, pending);
      }
      const ch = await pending;
      if (!ch.closed) return ch;
    }
  }

  async #startFunction(symbol: string): Promise<FunctionChannel> {
    const control = await this.#running.runningControl();
    const known = this.#s.remembered.get("function", symbol);
    const command =
      known?.command ??
      encodeCommand({
        cmd: "start",
        arg: {
          symbolName: symbol,
          meta: { ruleId: "", opId: "", instanceId: 0 },
          pluginType: "func",
        },
      });
    try {
      const ch = await this.openFunction(symbol, command, control);
      this.#s.remembered.remember({ kind: "function", key: symbol, symbol, command });
      return ch;
    } catch (err) {
      if (HostError.is(err, "PORTABLE_E_TIMEOUT") && !(err instanceof FunctionStartError)) {
        this.#s.proc?.kill("SIGKILL", `function ${symbol}: start not answered in time`);
      }
      throw err;
    }
  }

  /** Listen, send the start, wait for the first request (§5.3.3). */
  async openFunction(
    symbol: string,
    command: EncodedCommand,
    control: ControlChannel,
  ): Promise<FunctionChannel> {
    const o = this.#s.o;
    const ch = new FunctionChannel({
      plugin: this.#s.name,
      symbol,
      socketDir: o.socketDir,
      callTimeoutMs: o.timeouts.callMs,
      logger: o.logger,
      maxMessageBytes: o.maxMessageBytes,
      protocolVersion: this.#s.protocolVersion ?? 1,
      versionBroken: (error) => {
        const s = this.#s;
        if (s.stopping || error.statusText === undefined) return;
        s.versionFailure = error.statusText;
        s.proc?.kill("SIGKILL", error.statusText);
      },
    });
    await ch.listen();
    try {
      await control.send(command);
      try {
        await ch.ready(o.timeouts.initMs);
      } catch (err) {
        throw new FunctionStartError(err as HostError);
      }
    } catch (err) {
      await ch.close();
      throw err;
    }
    this.#funcs.set(symbol, ch);
    return ch;
  }

  /**
   * A function channel got no request when one was needed: close it, listen
   * again, send the start again (§5.2 "dead channels"). If that fails the
   * process is killed, which restarts it.
   */
  async reestablish(symbol: string, dead: FunctionChannel): Promise<void> {
    const s = this.#s;
    if (this.#funcs.get(symbol) !== dead) return;
    this.#funcs.delete(symbol);
    await dead.close();
    s.log.warn(`plugin ${s.name}: function ${symbol} channel ${dead.url} is dead; re-establishing`);
    try {
      await this.channel(symbol);
    } catch (err) {
      s.errMsg = `function ${symbol} channel could not be re-established: ${(err as Error).message}`;
      if (s.proc?.alive) s.proc.kill("SIGKILL", s.errMsg);
      throw err;
    }
  }

  /** The process exited: pending calls fail now rather than at their timeout. */
  dropAll(err: HostError): void {
    for (const ch of this.#funcs.values()) void ch.close(err);
    this.#funcs.clear();
  }

  /** Stopping for good: closes every channel, one after the other. */
  async closeAll(err: HostError): Promise<void> {
    for (const ch of this.#funcs.values()) await ch.close(err);
    this.#funcs.clear();
  }
}

/** The function's start was answered `ok` but its channel never spoke: that symbol failed. */
export class FunctionStartError extends HostError {
  constructor(error: HostError) {
    super(error.code, error.message, error.context);
  }
}
