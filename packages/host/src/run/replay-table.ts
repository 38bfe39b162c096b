// What the host remembers to replay after a restart (PROTOCOL.md §8.1): the
// exact bytes of every start command answered `ok`, sources and sinks by
// instance key, functions by symbol (not by Meta: every function start
// carries the same zero Meta). Iterated in replay order (§8.2): functions,
// then sources, then sinks, each in first-start order.

import type { SymbolKind } from "@portable-plugins/protocol";
import type { HostError } from "../errors.js";
import type { EncodedCommand } from "./control-channel.js";

/** Who is told when a remembered instance cannot be brought back. */
export interface InstanceOwner {
  /** The replayed start failed, or the plugin gave up restarting: the instance is gone. */
  failed(error: HostError): void;
  /** The replayed start was answered `ok` by the new process (§8.2). */
  replayed?(): void;
}

export interface Remembered {
  readonly kind: SymbolKind;
  /** Instance key for sources and sinks, symbol for functions. */
  readonly key: string;
  readonly symbol: string;
  readonly command: EncodedCommand;
  readonly owner?: InstanceOwner;
}

const ORDER: readonly SymbolKind[] = ["function", "source", "sink"];

export class ReplayTable {
  readonly #maps: Record<SymbolKind, Map<string, Remembered>> = {
    function: new Map(),
    source: new Map(),
    sink: new Map(),
  };

  get size(): number {
    return this.#maps.function.size + this.#maps.source.size + this.#maps.sink.size;
  }

  remember(entry: Remembered): void {
    this.#maps[entry.kind].set(entry.key, entry);
  }

  forget(kind: SymbolKind, key: string): void {
    this.#maps[kind].delete(key);
  }

  get(kind: SymbolKind, key: string): Remembered | undefined {
    return this.#maps[kind].get(key);
  }

  /** A snapshot in replay order. */
  inReplayOrder(): Remembered[] {
    return ORDER.flatMap((kind) => [...this.#maps[kind].values()]);
  }

  /** Forgets everything; returns what was remembered. */
  clear(): Remembered[] {
    const all = this.inReplayOrder();
    for (const map of Object.values(this.#maps)) map.clear();
    return all;
  }
}
