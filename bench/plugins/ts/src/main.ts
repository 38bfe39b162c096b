#!/usr/bin/env node
// The TypeScript bench plugin, on @portable-plugins/sdk; bundled by the bench
// (src/build.ts) into one .mjs the host runs as a `nodejs` plugin.
//   source benchsource  props count, size: emits `count` rows of `size` bytes
//                       as fast as `emit` allows (awaiting each), then idles
//   sink   benchsink    props notify (a Unix socket path): decodes every
//                       message's rows; on a row holding `__end` writes the count of
//                       rows before it as a line to `notify`, and restarts
//   func   benchecho    returns its first argument

import { createConnection, type Socket } from "node:net";
import type { JsonObject, JsonValue } from "@portable-plugins/protocol";
import {
  type Context,
  definePlugin,
  type Sink,
  type SinkData,
  type Source,
  type SourceContext,
  startPlugin,
} from "@portable-plugins/sdk";
import { END_MARK, padFor, row } from "../../../src/payload.js";

const num = (props: JsonObject, key: string, fallback: number): number => {
  const v = props[key];
  return typeof v === "number" ? v : fallback;
};

class BenchSource implements Source {
  count = 0;
  pad = "";

  configure(_dataSource: string, props: JsonObject): void {
    this.count = num(props, "count", 0);
    this.pad = padFor(num(props, "size", 100));
  }

  async open(ctx: SourceContext): Promise<void> {
    for (let i = 0; i < this.count && !ctx.signal.aborted; i++) {
      await ctx.emit(row(i, this.pad));
    }
  }
}

class BenchSink implements Sink {
  notifyPath = "";
  seen = 0;
  conn: Socket | undefined;

  configure(props: JsonObject): void {
    const p = props["notify"];
    this.notifyPath = typeof p === "string" ? p : "";
  }

  collect(_ctx: Context, data: SinkData): void {
    // A version-2 message may hold many rows (§12.5); a version-1 one holds one row here.
    for (const r of data.rows()) {
      if (END_MARK in r) {
        this.conn ??= createConnection(this.notifyPath);
        this.conn.write(`${this.seen}\n`);
        this.seen = 0;
      } else this.seen++;
    }
  }

  close(): void {
    this.conn?.end();
  }
}

const bench = definePlugin({
  name: "benchts",
  sources: { benchsource: () => new BenchSource() },
  sinks: { benchsink: () => new BenchSink() },
  functions: { benchecho: () => ({ exec: (args: JsonValue[]) => args[0] ?? null }) },
});

startPlugin(bench).catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
