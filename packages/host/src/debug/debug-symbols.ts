// The symbols the debug server runs (PROTOCOL.md §7.3): as in the reference,
// one symbol per type and name at a time, each in rule `rule1`, op `op1`,
// instance 0 unless the start's `meta` names another rule and op; two
// sources or sinks may not share an instance key (it names socket files).
// A start of a symbol the manifest does not list is refused.

import {
  type Control,
  type FuncMeta,
  instanceKey,
  kindOfPluginType,
  type Meta,
  type SymbolKind,
  symbolsOf,
} from "@portable-plugins/protocol";
import type { ManagedPlugin } from "../run/managed-plugin.js";
import { checkInstance, type ProxyDeps } from "../run/proxies/instance.js";
import type { HostTimeouts } from "../run/supervisor-options.js";
import { Refusal } from "./debug-http.js";
import type { Settings } from "./debug-options.js";
import { type RunningSymbol, runFunction, runSink, runSource } from "./runners.js";

/**
 * Symbols started without `meta` run in this context. Instance 0: Go SDK
 * sources and sinks always use instance 0's socket paths, so any other
 * default makes their start fail (the plugin dials or listens elsewhere).
 */
export const DEBUG_META: Meta = { ruleId: "rule1", opId: "op1", instanceId: 0 };

export class DebugSymbols {
  readonly #o: Settings;
  readonly #mp: ManagedPlugin;
  readonly #timeouts: HostTimeouts;
  /** Running symbols by the reference's key, pluginType + symbolName. */
  readonly #running = new Map<string, Promise<RunningSymbol>>();
  /** Instance keys in use (they name socket files). */
  readonly #keys = new Set<string>();
  #ids = 0;

  /** `timeouts`: the supervisor's, for the proxies. */
  constructor(o: Settings, mp: ManagedPlugin, timeouts: HostTimeouts) {
    this.#o = o;
    this.#mp = mp;
    this.#timeouts = timeouts;
  }

  /** Starts the symbol of `control`; the caller has checked that the plugin can take it. */
  async start(control: Control): Promise<void> {
    const kind = kindOfPluginType(control.pluginType);
    const symbol = control.symbolName;
    const key = control.pluginType + symbol;
    if (this.#running.has(key)) throw new Refusal(`${kind} symbol ${symbol} already exists`);
    const offered = this.#o.manifest ? symbolsOf(this.#o.manifest, kind) : undefined;
    if (offered && !offered.includes(symbol)) {
      throw new Refusal(
        `running ${kind} ${symbol}: plugin ${this.#o.plugin} has no ${kind} ${symbol} (its manifest lists ${offered.join(", ") || "none"})`,
      );
    }
    const meta = control.meta?.ruleId && control.meta.opId ? control.meta : DEBUG_META;
    const run = this.#run(kind, control, meta);
    this.#running.set(key, run);
    try {
      await run;
    } catch (err) {
      if (this.#running.get(key) === run) this.#running.delete(key);
      throw err;
    }
  }

  #run(kind: SymbolKind, control: Control, meta: Meta): Promise<RunningSymbol> {
    const settings = {
      samples: this.#o.samples,
      intervalMs: this.#o.intervalMs,
      out: this.#o.out,
      logger: this.#o.logger,
    };
    if (kind === "function") {
      const context: FuncMeta = { ...meta, funcId: 1 };
      return runFunction(this.#mp, control, context, `debug:${++this.#ids}`, settings);
    }
    const checked = checkInstance(kind, control.symbolName, meta, this.#o.socketDir);
    const ikey = instanceKey(checked);
    if (this.#keys.has(ikey)) {
      return Promise.reject(
        new Refusal(
          `${kind} ${control.symbolName}: instance ${ikey} is in use by another running symbol; give this one another meta`,
        ),
      );
    }
    this.#keys.add(ikey);
    const deps: ProxyDeps = {
      plugin: this.#mp,
      socketDir: this.#o.socketDir,
      timeouts: this.#timeouts,
      logger: this.#o.logger,
      release: () => this.#keys.delete(ikey),
    };
    return kind === "source"
      ? runSource(deps, control, checked, settings)
      : runSink(deps, control, checked, settings);
  }

  async stop(control: Control): Promise<void> {
    const key = control.pluginType + control.symbolName;
    const run = this.#running.get(key);
    this.#running.delete(key);
    const running = await run?.catch(() => undefined);
    if (!running) throw new Refusal(`Symbol ${control.symbolName} already close`);
    await running.stop();
  }

  /** Stops every running symbol. */
  async stopAll(): Promise<void> {
    const running = [...this.#running.values()];
    this.#running.clear();
    await Promise.all(
      running.map((r) =>
        r.then(
          (s) => s.stop(),
          () => undefined,
        ),
      ),
    );
  }
}
