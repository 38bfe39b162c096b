// `portable exec` and `portable tail`: try a plugin's symbols by hand through
// a running `portable serve` (REST routes of rest/symbols.ts). exec prints a
// function's value for one call; tail prints a source's rows, one JSON
// object a line, until --count rows or Ctrl-C, and the server then stops the
// source instance.

import type { Command } from "commander";
import { HostError } from "../errors.js";
import { type ClientOptions, request, streamLines } from "./client.js";

export interface TryDeps {
  readonly client: () => ClientOptions;
  readonly out: (text: string) => void;
}

const usage = (message: string) => new HostError("PORTABLE_E_BAD_REQUEST", message);

/** The arguments of `exec`: a JSON array, or a usage error that shows one. */
export function parseArgsJson(text: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw usage(
      `arguments ${text} are not JSON (${(err as Error).message}): give a JSON array, e.g. '["hello", 2]' (quote it for the shell)`,
    );
  }
  if (!Array.isArray(parsed)) {
    throw usage(`arguments must be a JSON array, e.g. '[${text}]', got ${text}`);
  }
  return parsed;
}

/** The query of the tail route from the options. */
function tailQuery(o: TailCliOptions): string {
  const q = new URLSearchParams();
  if (o.props !== undefined) {
    let props: unknown;
    try {
      props = JSON.parse(o.props);
    } catch (err) {
      throw usage(`--props ${o.props} is not JSON: ${(err as Error).message}`);
    }
    if (typeof props !== "object" || props === null || Array.isArray(props)) {
      throw usage(`--props must be a JSON object, e.g. '{"interval": 100}', got ${o.props}`);
    }
    q.set("props", o.props);
  }
  if (o.count !== undefined) {
    const n = Number(o.count);
    if (o.count.trim() === "" || !Number.isSafeInteger(n) || n < 1) {
      throw usage(`invalid count ${o.count}: an integer >= 1`);
    }
    q.set("count", String(n));
  }
  if (o.confKey !== undefined) q.set("confKey", o.confKey);
  if (o.dataSource !== undefined) q.set("dataSource", o.dataSource);
  const text = q.toString();
  return text === "" ? "" : `?${text}`;
}

interface TailCliOptions {
  props?: string;
  count?: string;
  confKey?: string;
  dataSource?: string;
  meta?: boolean;
}

export function addTryCommands(program: Command, deps: TryDeps): void {
  program
    .command("exec")
    .description("call a function once through the running server and print its value (JSON)")
    .argument("<function>", "function name")
    .argument("[args]", `its arguments as a JSON array, e.g. '["hello"]'`, "[]")
    .action(async (fn: string, argsText: string) => {
      const args = parseArgsJson(argsText);
      const path = `/functions/${encodeURIComponent(fn)}/exec`;
      const { text } = await request(deps.client(), "POST", path, args);
      deps.out(JSON.stringify((JSON.parse(text) as { result: unknown }).result));
    });

  program
    .command("tail")
    .description(
      "start a source through the running server and print its rows (one JSON a line) until --count or Ctrl-C; the source is stopped after",
    )
    .argument("<source>", "source name")
    .option("--props <json>", "properties laid over its configuration, a JSON object")
    .option("--count <n>", "stop after n rows")
    .option("--conf-key <key>", "named configuration of sources/<source>.yaml (default: default)")
    .option("--data-source <text>", "the stream's data source (topic, path...)")
    .option("--meta", 'print {"message", "meta"} per row instead of the message')
    .action(async (source: string, o: TailCliOptions) => {
      const path = `/sources/${encodeURIComponent(source)}/rows${tailQuery(o)}`;
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      // A reader that went away (`portable tail x | head -3`) ends the tail as Ctrl-C does.
      const closed = (err: NodeJS.ErrnoException) => {
        if (err.code === "EPIPE") stop();
      };
      process.stdout.on("error", closed);
      try {
        await streamLines(
          deps.client(),
          path,
          (line) => {
            if (controller.signal.aborted) return;
            const item = JSON.parse(line) as {
              message?: unknown;
              meta?: unknown;
              error?: string;
              fatal?: boolean;
            };
            if (item.error !== undefined) {
              process.stderr.write(
                `portable: source ${source}${item.fatal ? " stopped" : " error"}: ${item.error}\n`,
              );
              if (item.fatal) process.exitCode = 1;
              return;
            }
            deps.out(
              JSON.stringify(o.meta ? { message: item.message, meta: item.meta } : item.message),
            );
          },
          controller.signal,
        );
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });
}
