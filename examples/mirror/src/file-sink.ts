// `file`: appends every row it receives to a file, one JSON document per
// line, buffered and flushed every `interval` ms; as eKuiper's mirror.
//   path      file to append to (default "cache", relative to the working directory)
//   interval  ms between flushes (default 1000)
// An array message is several rows. A write error fails the collect, so the
// host sees it in the ack when it asked for acks.

import { appendFile } from "node:fs/promises";
import type { Context, TypedSink, TypedSinkData } from "@portable-plugins/sdk";
import type { FileSinkConfig, FileSinkRow, MirrorTypes } from "./gen/types.js";

export class FileSink implements TypedSink<MirrorTypes["sinks"]["file"]> {
  path = "cache";
  interval = 1000;
  private buffer: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  configure(props: FileSinkConfig): void {
    const path = props["path"] ?? this.path;
    if (typeof path !== "string" || path === "")
      throw new Error("sink file: property path must be a non-empty string");
    const interval = props["interval"] ?? this.interval;
    if (typeof interval !== "number" || interval <= 0)
      throw new Error("sink file: property interval must be a positive number");
    this.path = path;
    this.interval = interval;
  }

  open(ctx: Context): void {
    this.timer = setInterval(
      () => void this.flush().catch((e: unknown) => ctx.logger.error(`flush failed: ${String(e)}`)),
      this.interval,
    );
  }

  async collect(_ctx: Context, data: TypedSinkData<FileSinkRow>): Promise<void> {
    for (const row of data.rows()) this.buffer.push(`${JSON.stringify(row)}\n`);
    // Surface a broken path at once rather than on the next flush.
    if (this.buffer.length > 0) await this.flush();
  }

  flush(): Promise<void> {
    const lines = this.buffer.join("");
    this.buffer = [];
    this.flushing = this.flushing.then(() => (lines ? appendFile(this.path, lines) : undefined));
    return this.flushing;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
