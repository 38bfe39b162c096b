// What the debug server does with a started symbol (PROTOCOL.md §7.3), built
// on the host's own proxies: a source's rows are printed, one line per tuple;
// a sink gets the sample rows, one message per row, one per interval, in a
// loop; a function is called (Exec) with the sample argument lists, one call
// per interval, in a loop, and its results are printed. `stop()` ends the
// loop and closes the proxy (which sends the stop command for sources and
// sinks; a function only releases its channel, §5.3.3).

import type { Control, FuncMeta, JsonObject, Meta } from "@portable-plugins/protocol";
import type { HostLogger } from "../logger.js";
import { sleep } from "../run/backoff.js";
import type { ManagedPlugin } from "../run/managed-plugin.js";
import { FunctionProxy } from "../run/proxies/function.js";
import type { ProxyDeps } from "../run/proxies/instance.js";
import { SinkProxy } from "../run/proxies/sink.js";
import { SourceProxy } from "../run/proxies/source.js";
import type { DebugSamples } from "./samples.js";

/** A started symbol; `stop()` is idempotent. */
export interface RunningSymbol {
  stop(): Promise<void>;
}

export interface RunSettings {
  readonly samples: DebugSamples;
  /** Between two sink messages or two function calls. */
  readonly intervalMs: number;
  /** One line of output (stdout in the CLI). */
  readonly out: (line: string) => void;
  readonly logger: HostLogger;
}

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Rows of the source, printed as JSON one per line; error items as `error: <message>`. */
export async function runSource(
  deps: ProxyDeps,
  control: Control,
  meta: Meta,
  s: RunSettings,
): Promise<RunningSymbol> {
  const config: JsonObject = { ...control.config };
  // As the host does (§4.3): the Python SDK reads the data source only there.
  if (control.dataSource && !("datasource" in config)) config["datasource"] = control.dataSource;
  const proxy = await SourceProxy.open(deps, control.symbolName, meta, config, {
    ...(control.dataSource ? { dataSource: control.dataSource } : {}),
    onError: (e) => s.out(`error: ${e.message}`),
  });
  const loop = (async () => {
    try {
      for await (const row of proxy) s.out(JSON.stringify(row.message));
    } catch (err) {
      s.out(`source ${control.symbolName} failed: ${text(err)}`);
    }
  })();
  return {
    stop: async () => {
      await proxy.close();
      await loop;
    },
  };
}

/** Repeats `step` every `intervalMs` until `signal` aborts. */
async function every(
  signal: AbortSignal,
  intervalMs: number,
  step: (i: number) => Promise<void>,
): Promise<void> {
  for (let i = 0; !signal.aborted; i++) {
    await step(i);
    try {
      await sleep(intervalMs, signal);
    } catch {
      return;
    }
  }
}

/** A loop and the stop that ends it, then closes `close`. */
function looping(
  run: (signal: AbortSignal) => Promise<void>,
  close: () => Promise<void>,
): RunningSymbol {
  const abort = new AbortController();
  const loop = run(abort.signal);
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= (async () => {
        abort.abort();
        await loop;
        await close();
      })();
      return stopping;
    },
  };
}

/** Sends the sample rows, `sent <row>` per row taken (acked, with requireAck), `cannot collect data: ...` per failure. */
export async function runSink(
  deps: ProxyDeps,
  control: Control,
  meta: Meta,
  s: RunSettings,
): Promise<RunningSymbol> {
  const proxy = await SinkProxy.open(deps, control.symbolName, meta, { ...control.config });
  const rows = s.samples.rows;
  return looping(
    (signal) =>
      every(signal, s.intervalMs, async (i) => {
        const row = rows[i % rows.length] as JsonObject;
        try {
          await proxy.write(row, { signal });
          s.out(`sent ${JSON.stringify(row)}`);
        } catch (err) {
          if (!signal.aborted) s.out(`cannot collect data: ${text(err)}`);
        }
      }),
    () => proxy.close(),
  );
}

/** Calls Exec with the sample argument lists and prints each result as JSON, or `cannot exec func: ...`. */
export async function runFunction(
  plugin: ManagedPlugin,
  control: Control,
  context: FuncMeta,
  id: string,
  s: RunSettings,
): Promise<RunningSymbol> {
  const proxy = await FunctionProxy.open(plugin, control.symbolName, id);
  const calls = s.samples.args;
  const ctx = {
    ruleId: context.ruleId,
    opId: context.opId,
    instanceId: context.instanceId,
    funcId: context.funcId,
  };
  return looping(
    (signal) =>
      every(signal, s.intervalMs, async (i) => {
        const args = calls[i % calls.length] ?? [];
        try {
          s.out(JSON.stringify(await proxy.exec([...args], ctx)));
        } catch (err) {
          s.out(`cannot exec func: ${text(err)}`);
        }
      }),
    () => proxy.close(),
  );
}
