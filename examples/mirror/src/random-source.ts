// `random`: every `interval` ms, a copy of `pattern` whose numeric fields get
// a random offset in [0, seed); the same configuration as eKuiper's mirror.
//   interval     ms between messages (positive integer, required)
//   pattern      object template; non-numeric fields are left out
//   seed         exclusive bound of the random offset (default 1: no offset)
//   deduplicate  0 off; N > 0 skip a value among the last N; N < 0 skip any value seen before
//   randomSeed   optional: a seeded generator, for reproducible output (this example's addition)

import { isJsonObject, type JsonObject } from "@portable-plugins/protocol";
import type { TypedSource, TypedSourceContext } from "@portable-plugins/sdk";
import type { MirrorTypes, RandomSourceConfig, RandomSourceRow } from "./gen/types.js";

/** mulberry32: a small seeded generator, enough for test data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function positiveInt(props: JsonObject, key: string, fallback?: number): number {
  const v = props[key] ?? fallback;
  if (v === undefined) throw new Error(`source random: property ${key} is required`);
  if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
    throw new Error(
      `source random: property ${key} must be a positive integer, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

// The props are typed by the schema in sources/random.json; the runtime checks
// stay for hosts that do not check types (eKuiper's).
export class RandomSource implements TypedSource<MirrorTypes["sources"]["random"]> {
  interval = 1000;
  seed = 1;
  pattern: JsonObject = {};
  deduplicate = 0;
  private random: () => number = Math.random;
  private readonly recent: string[] = [];
  private readonly seen = new Set<string>();

  configure(_dataSource: string, props: RandomSourceConfig): void {
    this.interval = positiveInt(props, "interval");
    this.seed = positiveInt(props, "seed", 1);
    const pattern = props["pattern"];
    if (!isJsonObject(pattern ?? null))
      throw new Error("source random: property pattern must be an object");
    this.pattern = pattern as JsonObject;
    const dedup = props["deduplicate"] ?? 0;
    if (typeof dedup !== "number" || !Number.isInteger(dedup)) {
      throw new Error(
        `source random: property deduplicate must be an integer, got ${JSON.stringify(dedup)}`,
      );
    }
    this.deduplicate = dedup;
    const rs = props["randomSeed"];
    if (typeof rs === "number") this.random = seededRandom(rs);
  }

  next(): RandomSourceRow {
    const out: RandomSourceRow = {};
    for (const [k, v] of Object.entries(this.pattern)) {
      if (typeof v === "number") out[k] = Math.trunc(v) + Math.floor(this.random() * this.seed);
    }
    return out;
  }

  /** Records the value; true when it was seen within the deduplication window. */
  isDuplicate(value: RandomSourceRow): boolean {
    if (this.deduplicate === 0) return false;
    const key = JSON.stringify(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    if (this.deduplicate > 0) {
      this.recent.push(key);
      if (this.recent.length > this.deduplicate) this.seen.delete(this.recent.shift()!);
    }
    return false;
  }

  async open(ctx: TypedSourceContext<RandomSourceRow>): Promise<void> {
    while (!ctx.signal.aborted) {
      await pause(this.interval, ctx.signal);
      if (ctx.signal.aborted) return;
      const value = this.next();
      if (!this.isDuplicate(value)) await ctx.emit(value);
    }
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts. Either way it leaves
 * nothing behind: the timer is cleared and the abort listener removed, so a
 * source that pauses once per row does not grow with the rows.
 */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
