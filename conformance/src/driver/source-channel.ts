// The host end of a source instance's data channel (PROTOCOL.md §4.4, §5.3.1):
// a PULL listening on `/tmp/<key>.ipc` before the start command. Every item is
// recorded and decoded with the protocol's codec, keeping its quirk warnings.
// A version-2 body (§12.4: first byte 0x02, SourceRowsV2 in either form) is
// recorded as one item per row, then its error, so cases count rows as in
// version 1. The form is told by the body itself, not by the session's
// version: a v2 body in a v1 run is not flagged here (left for a v2 case).

import { PullSocket } from "@portable-plugins/nng";
import {
  type DecodeWarning,
  decodeSourceItemWithWarnings,
  decodeSourceRows,
  type SourceItem,
  v2KindOf,
} from "@portable-plugins/protocol";
import type { Transcript } from "./transcript.js";

export interface ReceivedItem {
  readonly raw: Buffer;
  /** The decoded item, or the decode error text (a malformed envelope). */
  readonly item: SourceItem | { readonly type: "malformed"; readonly error: string };
  readonly warnings: readonly DecodeWarning[];
  /** A row of a version-2 SourceRowsV2 body (§12.4), not a version-1 envelope. */
  readonly v2?: true;
}

function decodeItems(raw: Buffer): ReceivedItem[] {
  try {
    if (v2KindOf(raw) !== undefined) {
      const msg = decodeSourceRows(raw);
      const items: ReceivedItem[] = msg.rows.map((r) => ({
        raw,
        item: { type: "data", message: r.message, meta: r.meta ?? null },
        warnings: [],
        v2: true,
      }));
      if (msg.error)
        items.push({
          raw,
          item: { type: "error", error: msg.error.message },
          warnings: [],
          v2: true,
        });
      return items;
    }
    const { value, warnings } = decodeSourceItemWithWarnings(raw);
    return [{ raw, item: value, warnings }];
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return [{ raw, item: { type: "malformed", error }, warnings: [] }];
  }
}

export class SourceChannel {
  readonly url: string;
  readonly label: string;
  readonly items: ReceivedItem[] = [];
  /** Index of the first item no expectation has looked at yet. */
  cursor = 0;
  connections = 0;
  readonly #pull = new PullSocket({ recvMaxSize: 0 });
  readonly #transcript: Transcript;
  #waiters: (() => void)[] = [];
  #loop: Promise<void> | undefined;
  /** While set, the receive loop does not read (flow control, §12.4). */
  #paused: { promise: Promise<void>; resume: () => void } | undefined;

  constructor(url: string, label: string, transcript: Transcript) {
    this.url = url;
    this.label = label;
    this.#transcript = transcript;
    this.#pull.onPipeEvent((e) => {
      if (e.type === "added") {
        this.connections++;
        transcript.event(label, "plugin connected");
      } else if (e.type === "removed") transcript.event(label, "plugin disconnected");
    });
  }

  async listen(): Promise<void> {
    await this.#pull.listen(this.url);
    this.#loop = this.#receive();
  }

  async #receive(): Promise<void> {
    try {
      for await (const raw of this.#pull) {
        this.#transcript.received(this.label, raw);
        this.items.push(...decodeItems(raw));
        for (const w of this.#waiters.splice(0)) w();
        if (this.#paused) await this.#paused.promise;
      }
    } catch {
      // closed
    }
  }

  /** Waits until `count` items arrived after the cursor, or `ms` elapsed. */
  async waitFor(count: number, ms: number, stop?: Promise<unknown>): Promise<ReceivedItem[]> {
    const deadline = Date.now() + ms;
    while (this.items.length - this.cursor < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        stop?.then(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      if (stop && (await Promise.race([stop.then(() => true), Promise.resolve(false)]))) break;
    }
    return this.items.slice(this.cursor);
  }

  /**
   * Stops reading the PULL (after the message being handled): the SP layer's
   * bounded queue and the kernel's socket buffer fill, and the plugin's
   * writes block (§12.4). `resume` reads again.
   */
  pause(): void {
    if (this.#paused) return;
    let resume = (): void => undefined;
    const promise = new Promise<void>((r) => {
      resume = r;
    });
    this.#paused = { promise, resume };
    this.#transcript.event(this.label, "host stops reading");
  }

  resume(): void {
    const p = this.#paused;
    this.#paused = undefined;
    p?.resume();
    if (p) this.#transcript.event(this.label, "host reads again");
  }

  get closed(): boolean {
    return this.#pull.closed;
  }

  async close(): Promise<void> {
    this.resume();
    await this.#pull.close();
    await this.#loop;
    this.#transcript.event(this.label, "host closed its PULL");
  }
}
