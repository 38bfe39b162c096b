// The version-2 sending side of a source instance (PROTOCOL.md §12.4): rows
// emitted in one turn of the event loop are coalesced into one SourceRowsV2
// message (protobuf form), each row written straight into the message's
// buffer (SourceRowsBuilder), cut at the row and byte limits of §12.2; finished
// messages go through a bounded send queue, and `emit` waits while it is full,
// so a source faster than the host is slowed down, never buffered without
// bound and never dropped. A send that times out is retried with the same
// body until the instance stops.

import type { PushSocket } from "@portable-plugins/nng";
import {
  type ErrorV2,
  encodeSourceRow,
  errorV2,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  SourceRowsBuilder,
  V2_LIMITS,
} from "@portable-plugins/protocol";
import { SdkError } from "../errors.js";

/** §12.4 RECOMMENDED bound of the plugin's send queue. */
export const SEND_QUEUE_LIMITS = { messages: 16, bytes: 4 * 1024 * 1024 } as const;

export interface SenderV2Options {
  readonly push: PushSocket;
  readonly signal: AbortSignal;
  readonly onRetry: (err: unknown) => void;
  /** The first time an emit waits for room (the host is slower than the source). */
  readonly onFirstWait?: () => void;
  readonly where: { readonly plugin: string; readonly symbol: string; readonly url: string };
}

export interface SenderV2Stats {
  /** Messages and bytes in the send queue now (not yet handed to the socket). */
  readonly queuedMessages: number;
  readonly queuedBytes: number;
  /** Times an emit had to wait for room. */
  readonly waits: number;
}

const SETTLED: Promise<void> = Promise.resolve();
/**
 * Where the sender cuts a message (one row alone may be larger): below the
 * §12.2 limit, keeping room for an error sent after the rows (emitError), and
 * small enough that the host decodes one message while the next is written
 * (measured: 64 KiB messages ingest faster than 1 MiB ones).
 */
export const BATCH_BYTES = Math.min(64 * 1024, V2_LIMITS.maxMessageBytes - 16 * 1024);

export class SourceSenderV2 {
  readonly #o: SenderV2Options;
  /** The message being filled, if any row is pending. */
  #batch: SourceRowsBuilder | undefined;
  /** The size of the last message, as the next one's buffer size. */
  #lastBytes = 4096;
  #flushScheduled = false;
  readonly #queue: Buffer[] = [];
  #queueBytes = 0;
  #pumping = false;
  #room: (() => void)[] = [];
  #waits = 0;

  constructor(o: SenderV2Options) {
    this.#o = o;
    o.signal.addEventListener("abort", () => this.#releaseAll(), { once: true });
  }

  stats(): SenderV2Stats {
    return {
      queuedMessages: this.#queue.length,
      queuedBytes: this.#queueBytes,
      waits: this.#waits,
    };
  }

  /** Adds the row(s) of one emit; resolves when the send queue has room again. */
  emit(message: JsonValue, meta: JsonObject | null): Promise<void> {
    if (this.#o.signal.aborted) return SETTLED;
    const withMeta = meta !== null && Object.keys(meta).length > 0;
    try {
      if (!Array.isArray(message)) {
        if (!isJsonObject(message)) return this.#notObject(message);
        // Hot path: one row, written straight into the message being filled.
        this.#addRow(message, withMeta ? meta : null);
        return this.#whenRoom();
      }
      // As in version 1, an array of objects is that many rows sharing meta
      // (§4.4.1): all are encoded before any is added, so a bad one adds none.
      const encoded: Buffer[] = [];
      for (const m of message) {
        if (!isJsonObject(m)) return this.#notObject(m);
        encoded.push(encodeSourceRow(withMeta ? { message: m, meta } : { message: m }));
      }
      for (const r of encoded) this.#addEncoded(r);
    } catch (cause) {
      return Promise.reject(
        new SdkError("PORTABLE_E_ARGUMENT", `emit: ${(cause as Error).message}`, {
          ...this.#o.where,
          cause,
        }),
      );
    }
    return this.#whenRoom();
  }

  #notObject(m: JsonValue): Promise<void> {
    return Promise.reject(
      new SdkError(
        "PORTABLE_E_ARGUMENT",
        `emit: a version-2 row is an object, got ${JSON.stringify(m)?.slice(0, 80)}`,
        this.#o.where,
      ),
    );
  }

  /** Sends the pending rows and the error in one message (the error after them). */
  emitError(error: ErrorV2 | string): Promise<void> {
    if (this.#o.signal.aborted) return SETTLED;
    const e = typeof error === "string" ? errorV2("PORTABLE_E_SOURCE", "BACKOFF", error) : error;
    this.#flush(e);
    return this.#whenRoom();
  }

  #open(): SourceRowsBuilder {
    if (this.#batch) return this.#batch;
    // Sized as the last message (capped: a small batch does not hold a large buffer).
    const b = new SourceRowsBuilder(Math.min(this.#lastBytes + 256, 256 * 1024));
    this.#batch = b;
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      setImmediate(() => {
        this.#flushScheduled = false;
        if (this.#batch) this.#flush();
      });
    }
    return b;
  }

  /** Whether the batch is over BATCH_BYTES or the row limit of §12.2 (one row alone may be larger). */
  #over(b: SourceRowsBuilder): boolean {
    return b.rows > 1 && (b.rows > V2_LIMITS.maxRowsPerMessage || b.bytes > BATCH_BYTES);
  }

  #addRow(message: JsonObject, meta: JsonObject | null): void {
    const b = this.#open();
    const mark = b.bytes;
    b.addRow(message, meta);
    if (this.#over(b)) this.#carry(b, b.popLast(mark));
  }

  #addEncoded(row: Buffer): void {
    const b = this.#open();
    const mark = b.bytes;
    b.addEncoded(row);
    if (this.#over(b)) this.#carry(b, b.popLast(mark));
  }

  /** Sends the full batch and starts the next one with `row`. */
  #carry(full: SourceRowsBuilder, row: Buffer): void {
    if (this.#batch === full) this.#flush();
    this.#open().addEncoded(row);
  }

  #flush(error?: ErrorV2): void {
    const b = this.#batch;
    this.#batch = undefined;
    if (this.#o.signal.aborted) return;
    const body = (b ?? new SourceRowsBuilder(64)).finish(error);
    this.#lastBytes = body.length;
    this.#queue.push(body);
    this.#queueBytes += body.length;
    void this.#pump();
  }

  #full(): boolean {
    return (
      this.#queue.length >= SEND_QUEUE_LIMITS.messages ||
      this.#queueBytes >= SEND_QUEUE_LIMITS.bytes
    );
  }

  #whenRoom(): Promise<void> {
    if (!this.#full() || this.#o.signal.aborted) return SETTLED;
    if (this.#waits++ === 0) this.#o.onFirstWait?.();
    return new Promise((resolve) => this.#room.push(resolve));
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      const push = this.#o.push;
      while (this.#queue.length > 0 && !this.#o.signal.aborted) {
        const body = this.#queue[0] as Buffer;
        if (!push.trySend(body)) {
          try {
            await push.send(body);
          } catch (err) {
            if (this.#o.signal.aborted) return;
            this.#o.onRetry(err); // §12.4: the same body again, until stop
            continue;
          }
        }
        this.#queue.shift();
        this.#queueBytes -= body.length;
        if (!this.#full()) this.#releaseAll();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #releaseAll(): void {
    const waiting = this.#room;
    this.#room = [];
    for (const resolve of waiting) resolve();
  }
}
