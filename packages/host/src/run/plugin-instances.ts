// Source and sink instances of a managed plugin (PROTOCOL.md §8.1, §9.1):
// their start command is sent on the control channel and, once answered
// `ok`, remembered (exact bytes) for replay; their stop forgets them. A
// plugin that does not answer a command in time is killed (and restarted).

import type { Control } from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import { type ControlChannel, type EncodedCommand, encodeCommand } from "./control-channel.js";
import type { InstanceKind, PluginState, Running } from "./plugin-state.js";
import type { InstanceOwner } from "./replay-table.js";

export class PluginInstances {
  readonly #s: PluginState;
  readonly #running: Running;

  constructor(state: PluginState, running: Running) {
    this.#s = state;
    this.#running = running;
  }

  /** Sends a command; an unresponsive plugin is killed (and restarted, §9.1). */
  async #send(control: ControlChannel, command: EncodedCommand): Promise<void> {
    const s = this.#s;
    try {
      await control.send(command);
    } catch (err) {
      if (HostError.is(err, "PORTABLE_E_TIMEOUT") && s.proc?.alive) {
        const reason = `control channel unresponsive (no answer within ${s.o.timeouts.commandMs} ms)`;
        s.log.error(`plugin ${s.name}: ${reason}, killing pid ${s.proc.pid}`);
        s.proc.kill("SIGKILL", reason);
      }
      throw err;
    }
  }

  /** Starts a source or sink instance and remembers it for replay. */
  async start(
    kind: InstanceKind,
    key: string,
    control: Control,
    owner: InstanceOwner,
  ): Promise<void> {
    const command = encodeCommand({ cmd: "start", arg: control });
    await this.#send(await this.#running.runningControl(), command);
    this.#s.remembered.remember({ kind, key, symbol: control.symbolName, command, owner });
  }

  /** Forgets an instance and, when a process runs, sends its stop (a failure is only logged, §9.1). */
  async stop(kind: InstanceKind, key: string, control: Control): Promise<void> {
    const s = this.#s;
    s.remembered.forget(kind, key);
    if (s.phase === "starting" || s.phase === "replaying") await s.starting?.catch(() => undefined);
    const channel = s.control;
    if (s.phase !== "running" || !channel) return;
    try {
      await channel.send({ cmd: "stop", arg: control });
    } catch (err) {
      s.log.warn(`plugin ${s.name}: stop of ${kind} ${key}: ${(err as Error).message}`);
    }
  }
}
