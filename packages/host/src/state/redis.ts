// The Redis state backend (PROTOCOL.md §13), for hosts that share state or fail
// over between machines. Layout under a prefix (default `portable:state:`): one
// hash per symbol instance, `<prefix><plugin>:<rule>:<symbol>:<op>:<instance>`
// (each name %-encoded so `:` never appears inside one), field = state key;
// and the set `<prefix>@instances` naming every such hash. Every operation
// that touches more than one key is one Lua script, which Redis runs
// atomically: a put checks the key count and writes; a snapshot reads all
// hashes in one script, so it is consistent; a restore replaces all of them.
// A put is durable as the server's persistence says (§13.4): acked = applied
// in the server's memory, on disk with `appendonly yes` + `appendfsync always`,
// and on replicas when `waitReplicas` is set (WAIT after each put).
// Commands never wait in an offline queue: while the connection is down they
// fail at once with PORTABLE_E_STATE, class RETRYABLE, and the client
// reconnects by itself.
import { createClient, ErrorReply, RESP_TYPES } from "redis";
import { HostError } from "../errors.js";
import {
  checkKey,
  checkPut,
  closedError,
  compareEntries,
  DEFAULT_STATE_LIMITS,
  keysQuotaError,
  type StateEntry,
  type StateInstance,
  type StateLimits,
  type StateSnapshot,
  type StateStore,
  stateContext,
} from "./store.js";

export interface RedisStateOptions {
  /** `redis://host:port/db` (or `rediss://`). */
  readonly url: string;
  /** Prefix of every key this store writes; default `portable:state:`. */
  readonly prefix?: string;
  readonly limits?: Partial<StateLimits>;
  /** Give up connecting at open after this long; default 5000 ms. */
  readonly connectTimeoutMs?: number;
  /** After each put, wait until this many replicas have it (Redis WAIT), or time out. */
  readonly waitReplicas?: { readonly count: number; readonly timeoutMs: number };
}

const PUT = `if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 and redis.call('HLEN', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('SADD', KEYS[2], KEYS[1])
return 1`;

const DELETE = `local n = redis.call('HDEL', KEYS[1], ARGV[1])
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], KEYS[1]) end
return n`;

// ARGV: segment number (1 plugin, 2 rule), its encoded value, prefix length.
const DROP = `local removed = 0
local want = tonumber(ARGV[1])
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local i = 0
  local match = false
  for seg in string.gmatch(string.sub(k, tonumber(ARGV[3]) + 1), '[^:]+') do
    i = i + 1
    if i == want then match = (seg == ARGV[2]) break end
  end
  if match then
    removed = removed + redis.call('HLEN', k)
    redis.call('DEL', k)
    redis.call('SREM', KEYS[1], k)
  end
end
return removed`;

const SNAPSHOT = `local out = {}
for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  out[#out + 1] = k
  out[#out + 1] = redis.call('HGETALL', k)
end
return out`;

const RESTORE = `for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', k) end
redis.call('DEL', KEYS[1])
for i = 1, #ARGV, 3 do
  redis.call('HSET', ARGV[i], ARGV[i + 1], ARGV[i + 2])
  redis.call('SADD', KEYS[1], ARGV[i])
end
return 1`;

/** %-encodes everything but letters, digits, `_`, `.` and `-`, so `:` separates names. */
const enc = (s: string) =>
  encodeURIComponent(s).replace(
    /[!'()*~]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );

function binaryClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
  }).withTypeMapping({ [RESP_TYPES.BLOB_STRING]: Buffer });
}
type Client = ReturnType<typeof binaryClient>;

export class RedisStateStore implements StateStore {
  readonly backend = "redis" as const;
  readonly limits: StateLimits;
  readonly url: string;
  readonly prefix: string;
  readonly #client: Client;
  readonly #set: string;
  readonly #wait: RedisStateOptions["waitReplicas"];
  #closed = false;
  /** The last connection error the client reported (it reconnects by itself). */
  lastConnectionError: Error | undefined;

  private constructor(options: RedisStateOptions, client: Client) {
    this.limits = { ...DEFAULT_STATE_LIMITS, ...options.limits };
    this.url = options.url;
    this.prefix = options.prefix ?? "portable:state:";
    this.#set = `${this.prefix}@instances`;
    this.#wait = options.waitReplicas;
    this.#client = client;
  }

  /** Connects; PORTABLE_E_STATE when the server does not answer within connectTimeoutMs. */
  static async open(options: RedisStateOptions): Promise<RedisStateStore> {
    const client = binaryClient(options.url);
    const store = new RedisStateStore(options, client);
    client.on("error", (err: Error) => {
      store.lastConnectionError = err;
    });
    const timeoutMs = options.connectTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    const connecting = client.connect();
    // Lost the race to the timer: its later failure is already reported below.
    connecting.catch(() => undefined);
    try {
      await Promise.race([
        connecting,
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(store.lastConnectionError ?? new Error(`no answer in ${timeoutMs} ms`)),
            timeoutMs,
          );
        }),
      ]);
    } catch (cause) {
      client.destroy();
      throw new HostError(
        "PORTABLE_E_STATE",
        `cannot connect the redis state store ${options.url}: ${(cause as Error).message}`,
        stateContext("redis", undefined, { url: options.url, errorClass: "RETRYABLE", cause }),
      );
    } finally {
      clearTimeout(timer);
    }
    return store;
  }

  async get(instance: StateInstance, key: string): Promise<Uint8Array | undefined> {
    checkKey("redis", this.limits, instance, key);
    const v = await this.#run(instance, () => this.#client.hGet(this.#hash(instance), key));
    return v === null || v === undefined ? undefined : new Uint8Array(v as Buffer);
  }

  async put(instance: StateInstance, key: string, value: Uint8Array): Promise<void> {
    checkPut("redis", this.limits, instance, key, value);
    const done = await this.#run(instance, () =>
      this.#client.eval(PUT, {
        keys: [this.#hash(instance), this.#set],
        arguments: [
          key,
          Buffer.from(value.buffer, value.byteOffset, value.byteLength),
          String(this.limits.maxKeysPerInstance),
        ],
      }),
    );
    if (Number(done) === 0) throw keysQuotaError("redis", this.limits, instance, key);
    if (this.#wait !== undefined) {
      const { count, timeoutMs } = this.#wait;
      const acked = Number(await this.#run(instance, () => this.#client.wait(count, timeoutMs)));
      if (acked < count) {
        throw new HostError(
          "PORTABLE_E_STATE",
          `redis state put reached ${acked} of ${count} replicas in ${timeoutMs} ms`,
          stateContext("redis", instance, { url: this.url, errorClass: "RETRYABLE" }),
        );
      }
    }
  }

  async delete(instance: StateInstance, key: string): Promise<boolean> {
    checkKey("redis", this.limits, instance, key);
    const n = await this.#run(instance, () =>
      this.#client.eval(DELETE, { keys: [this.#hash(instance), this.#set], arguments: [key] }),
    );
    return Number(n) > 0;
  }

  async keys(instance: StateInstance): Promise<string[]> {
    const fields = await this.#run(instance, () => this.#client.hKeys(this.#hash(instance)));
    return (fields as unknown as Buffer[]).map((f) => f.toString("utf8")).sort();
  }

  async dropPlugin(plugin: string): Promise<number> {
    return this.#drop(1, plugin, { plugin });
  }

  async dropRule(rule: string): Promise<number> {
    return this.#drop(2, rule, { rule });
  }

  async snapshot(): Promise<StateSnapshot> {
    const flat = (await this.#run(undefined, () =>
      this.#client.eval(SNAPSHOT, { keys: [this.#set] }),
    )) as unknown as (Buffer | Buffer[])[];
    const entries: StateEntry[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const instance = this.#parse((flat[i] as Buffer).toString("utf8"));
      const fields = flat[i + 1] as Buffer[];
      for (let j = 0; j + 1 < fields.length; j += 2) {
        const key = (fields[j] as Buffer).toString("utf8");
        entries.push({ instance, key, value: new Uint8Array(fields[j + 1] as Buffer) });
      }
    }
    entries.sort(compareEntries);
    return { backend: "redis", entries };
  }

  async restore(snapshot: StateSnapshot): Promise<void> {
    const args: (string | Buffer)[] = [];
    for (const e of snapshot.entries) {
      checkPut("redis", this.limits, e.instance, e.key, e.value);
      args.push(this.#hash(e.instance), e.key, Buffer.from(e.value));
    }
    await this.#run(undefined, () =>
      this.#client.eval(RESTORE, { keys: [this.#set], arguments: args }),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.isOpen) await this.#client.close().catch(() => this.#client.destroy());
    else this.#client.destroy();
  }

  #hash(i: StateInstance): string {
    return `${this.prefix}${enc(i.plugin)}:${enc(i.rule)}:${enc(i.symbol)}:${enc(i.op)}:${i.instance}`;
  }

  #parse(hash: string): StateInstance {
    const [plugin, rule, symbol, op, instance] = hash.slice(this.prefix.length).split(":");
    const dec = (s: string | undefined) => decodeURIComponent(s ?? "");
    return {
      plugin: dec(plugin),
      symbol: dec(symbol),
      rule: dec(rule),
      op: dec(op),
      instance: Number(instance),
    };
  }

  async #drop(segment: 1 | 2, name: string, ctx: { plugin?: string; rule?: string }) {
    const n = await this.#run(
      undefined,
      () =>
        this.#client.eval(DROP, {
          keys: [this.#set],
          arguments: [String(segment), enc(name), String(this.prefix.length)],
        }),
      ctx,
    );
    return Number(n);
  }

  /** Runs a command, turning a Redis failure into a HostError naming the instance and backend. */
  async #run<T>(
    instance: StateInstance | undefined,
    fn: () => Promise<T>,
    ctx: { plugin?: string; rule?: string } = {},
  ): Promise<T> {
    if (this.#closed) throw closedError("redis", instance);
    try {
      return await fn();
    } catch (cause) {
      // A reply error is Redis refusing the command: sending it again fails again.
      const errorClass = cause instanceof ErrorReply ? "FATAL" : "RETRYABLE";
      throw new HostError(
        "PORTABLE_E_STATE",
        `redis state store ${this.url}: ${(cause as Error).message}`,
        stateContext("redis", instance, { ...ctx, url: this.url, errorClass, cause }),
      );
    }
  }
}
