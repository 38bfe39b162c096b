// The host ends of a sink instance (PROTOCOL.md §4.5, §5.3.2): the ack PULL,
// listening before the start command for EVERY sink (the Python SDK dials it
// always), and the data PUSH, dialled (reconnecting) after `ok`.

import { PullSocket, PushSocket } from "@portable-plugins/nng";
import {
  type DecodeWarning,
  decodeSinkAckV2,
  decodeSinkAckWithWarnings,
  type SinkAckV2,
  v2KindOf,
} from "@portable-plugins/protocol";
import type { Transcript } from "./transcript.js";

export interface ReceivedAck {
  readonly raw: Buffer;
  readonly ack:
    | { readonly ok: true }
    | { readonly ok: false; readonly error: string }
    | {
        readonly malformed: string;
      };
  readonly warnings: readonly DecodeWarning[];
  /** A version-2 ack (SinkAckV2, §12.5): the seq it covers up to, and its typed error. */
  readonly v2?: SinkAckV2;
}

export class SinkChannel {
  readonly dataUrl: string;
  readonly ackUrl: string;
  readonly label: string;
  readonly acks: ReceivedAck[] = [];
  cursor = 0;
  /** Row messages the plugin took. */
  sent = 0;
  /** Version 2 (§12.5): the seq of the last SinkRowsV2 sent, and the last one an expectAck took as covered. */
  seq = 0;
  ackedSeq = 0;
  /** Connections the plugin made to the ack channel (0: it has no ack machinery at all). */
  ackConnections = 0;
  #ack = new PullSocket({ recvMaxSize: 0 });
  #data: PushSocket | undefined;
  readonly #transcript: Transcript;
  #waiters: (() => void)[] = [];
  #loop: Promise<void> | undefined;

  constructor(dataUrl: string, ackUrl: string, label: string, transcript: Transcript) {
    this.dataUrl = dataUrl;
    this.ackUrl = ackUrl;
    this.label = label;
    this.#transcript = transcript;
  }

  get ackLabel(): string {
    return `ack:${this.label.slice("sink:".length)}`;
  }

  async listenAck(): Promise<void> {
    this.#ack = new PullSocket({ recvMaxSize: 0 });
    this.#ack.onPipeEvent((e) => {
      if (e.type === "added") {
        this.ackConnections++;
        this.#transcript.event(this.ackLabel, "plugin connected");
      }
    });
    await this.#ack.listen(this.ackUrl);
    this.#loop = this.#receive(this.#ack);
  }

  async #receive(pull: PullSocket): Promise<void> {
    try {
      for await (const raw of pull) {
        this.#transcript.received(this.ackLabel, raw);
        let entry: ReceivedAck;
        if (v2KindOf(raw) !== undefined) {
          try {
            const v2 = decodeSinkAckV2(raw);
            const ack = v2.error
              ? { ok: false as const, error: v2.error.message }
              : { ok: true as const };
            entry = { raw, ack, warnings: [], v2 };
          } catch (err) {
            entry = {
              raw,
              ack: { malformed: err instanceof Error ? err.message : String(err) },
              warnings: [],
            };
          }
          this.acks.push(entry);
          for (const w of this.#waiters.splice(0)) w();
          continue;
        }
        try {
          const { value, warnings } = decodeSinkAckWithWarnings(raw);
          entry = { raw, ack: value, warnings };
        } catch (err) {
          entry = {
            raw,
            ack: { malformed: err instanceof Error ? err.message : String(err) },
            warnings: [],
          };
        }
        this.acks.push(entry);
        for (const w of this.#waiters.splice(0)) w();
      }
    } catch {
      // closed
    }
  }

  /** Dials the plugin's data listener in the background (it reconnects after a restart). */
  async dialData(sendTimeoutMs: number): Promise<void> {
    if (this.#data && !this.#data.closed) return;
    this.#data = new PushSocket({ sendTimeout: sendTimeoutMs, reconnectMaxTime: 1000 });
    this.#data.onPipeEvent((e) => {
      if (e.type === "added") this.#transcript.event(this.label, "connected to the plugin");
      else if (e.type === "removed") this.#transcript.event(this.label, "connection closed");
    });
    await this.#data.dial(this.dataUrl, { blocking: false });
  }

  /** Pushes one message; resolves false when no plugin took it within the send timeout. */
  async send(message: Buffer): Promise<boolean> {
    if (!this.#data) return false;
    try {
      await this.#data.send(message);
      this.#transcript.sent(this.label, message);
      this.sent++;
      return true;
    } catch (err) {
      this.#transcript.event(
        this.label,
        `send failed: ${err instanceof Error ? err.message : String(err)}`,
      );
      return false;
    }
  }

  /** After a replayed start (§12.5): numbering starts again at 1; earlier acks are done with. */
  restartSeq(): void {
    this.seq = 0;
    this.ackedSeq = 0;
    this.cursor = this.acks.length;
  }

  /**
   * Version 2: waits until the acks since the cursor cover seq `upTo`, or one
   * of them is a failure or not a version-2 ack, or `ms` passed.
   */
  async waitCovered(upTo: number, ms: number): Promise<ReceivedAck[]> {
    const deadline = Date.now() + ms;
    const done = () =>
      this.acks
        .slice(this.cursor)
        .some((a) => !a.v2 || a.v2.error !== undefined || a.v2.seq >= upTo);
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.acks.slice(this.cursor);
  }

  async waitAcks(count: number, ms: number): Promise<ReceivedAck[]> {
    const deadline = Date.now() + ms;
    while (this.acks.length - this.cursor < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.acks.slice(this.cursor);
  }

  async closeData(): Promise<void> {
    if (this.#data && !this.#data.closed) {
      await this.#data.close();
      this.#transcript.event(this.label, "host closed its PUSH");
    }
  }

  async close(): Promise<void> {
    await this.closeData();
    if (!this.#ack.closed) {
      await this.#ack.close();
      await this.#loop;
      this.#transcript.event(this.ackLabel, "host closed its PULL");
    }
  }
}
