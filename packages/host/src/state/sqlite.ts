// The SQLite state backend (PROTOCOL.md §13), the default: one database file in
// WAL mode with `synchronous = FULL`, so a put is on disk (the WAL fsynced)
// when it resolves and survives a crash of the host or of the machine. One
// table keyed by (plugin, symbol, rule, op, instance, key); each put checks the
// instance's key count and writes in one transaction. better-sqlite3 is
// synchronous: every call runs to completion on the host's thread, so
// operations never interleave and a snapshot is a single consistent read.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
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

export interface SqliteStateOptions {
  /** The database file; created with its folder when missing. */
  readonly path: string;
  readonly limits?: Partial<StateLimits>;
  /** `FULL` (default): durable on ack. `NORMAL`: may lose the last puts on power loss, not on a crash. */
  readonly synchronous?: "FULL" | "NORMAL";
}

type Row = {
  plugin: string;
  symbol: string;
  rule: string;
  op: string;
  instance: number;
  key: string;
  value: Buffer;
};

const SCHEMA = `
CREATE TABLE IF NOT EXISTS portable_state (
  plugin TEXT NOT NULL, symbol TEXT NOT NULL, rule TEXT NOT NULL, op TEXT NOT NULL,
  instance INTEGER NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
  PRIMARY KEY (plugin, symbol, rule, op, instance, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS portable_state_rule ON portable_state (rule);
`;

const WHERE_INSTANCE = "plugin = ? AND symbol = ? AND rule = ? AND op = ? AND instance = ?";

export class SqliteStateStore implements StateStore {
  readonly backend = "sqlite" as const;
  readonly limits: StateLimits;
  readonly path: string;
  readonly #db: Database.Database;
  readonly #stmt;
  readonly #putTx;
  readonly #restoreTx;
  #closed = false;

  constructor(options: SqliteStateOptions) {
    this.limits = { ...DEFAULT_STATE_LIMITS, ...options.limits };
    this.path = options.path;
    try {
      mkdirSync(dirname(options.path), { recursive: true });
      this.#db = new Database(options.path);
      this.#db.pragma("journal_mode = WAL");
      this.#db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
      this.#db.pragma("busy_timeout = 5000");
      this.#db.exec(SCHEMA);
    } catch (cause) {
      throw new HostError(
        "PORTABLE_E_STATE",
        `cannot open the sqlite state store ${options.path}: ${(cause as Error).message}`,
        stateContext("sqlite", undefined, { path: options.path, cause }),
      );
    }
    const db = this.#db;
    this.#stmt = {
      get: db.prepare<unknown[], { value: Buffer }>(
        `SELECT value FROM portable_state WHERE ${WHERE_INSTANCE} AND key = ?`,
      ),
      exists: db.prepare(`SELECT 1 FROM portable_state WHERE ${WHERE_INSTANCE} AND key = ?`),
      count: db.prepare<unknown[], { n: number }>(
        `SELECT count(*) AS n FROM portable_state WHERE ${WHERE_INSTANCE}`,
      ),
      upsert: db.prepare(
        "INSERT INTO portable_state (plugin, symbol, rule, op, instance, key, value) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value",
      ),
      del: db.prepare(`DELETE FROM portable_state WHERE ${WHERE_INSTANCE} AND key = ?`),
      keys: db.prepare<unknown[], { key: string }>(
        `SELECT key FROM portable_state WHERE ${WHERE_INSTANCE} ORDER BY key`,
      ),
      dropPlugin: db.prepare("DELETE FROM portable_state WHERE plugin = ?"),
      dropRule: db.prepare("DELETE FROM portable_state WHERE rule = ?"),
      all: db.prepare<[], Row>(
        "SELECT plugin, symbol, rule, op, instance, key, value FROM portable_state ORDER BY plugin, symbol, rule, op, instance, key",
      ),
      clear: db.prepare("DELETE FROM portable_state"),
    };
    const s = this.#stmt;
    this.#putTx = db.transaction((i: StateInstance, key: string, value: Uint8Array) => {
      const id = [i.plugin, i.symbol, i.rule, i.op, i.instance] as const;
      if (s.exists.get(...id, key) === undefined) {
        const n = (s.count.get(...id) as { n: number }).n;
        if (n >= this.limits.maxKeysPerInstance)
          throw keysQuotaError("sqlite", this.limits, i, key);
      }
      s.upsert.run(...id, key, value);
    });
    this.#restoreTx = db.transaction((entries: readonly StateEntry[]) => {
      s.clear.run();
      for (const { instance: i, key, value } of entries) {
        s.upsert.run(i.plugin, i.symbol, i.rule, i.op, i.instance, key, value);
      }
    });
  }

  async get(instance: StateInstance, key: string): Promise<Uint8Array | undefined> {
    checkKey("sqlite", this.limits, instance, key);
    const row = this.#run(instance, () => this.#stmt.get.get(...idOf(instance), key));
    return row === undefined ? undefined : new Uint8Array(row.value);
  }

  async put(instance: StateInstance, key: string, value: Uint8Array): Promise<void> {
    checkPut("sqlite", this.limits, instance, key, value);
    this.#run(instance, () => this.#putTx(instance, key, value));
  }

  async delete(instance: StateInstance, key: string): Promise<boolean> {
    checkKey("sqlite", this.limits, instance, key);
    return this.#run(instance, () => this.#stmt.del.run(...idOf(instance), key).changes > 0);
  }

  async keys(instance: StateInstance): Promise<string[]> {
    return this.#run(instance, () =>
      (this.#stmt.keys.all(...idOf(instance)) as { key: string }[]).map((r) => r.key),
    );
  }

  async dropPlugin(plugin: string): Promise<number> {
    return this.#run(undefined, () => this.#stmt.dropPlugin.run(plugin).changes, { plugin });
  }

  async dropRule(rule: string): Promise<number> {
    return this.#run(undefined, () => this.#stmt.dropRule.run(rule).changes, { rule });
  }

  async snapshot(): Promise<StateSnapshot> {
    const rows = this.#run(undefined, () => this.#stmt.all.all());
    const entries = rows.map(
      (r): StateEntry => ({
        instance: {
          plugin: r.plugin,
          symbol: r.symbol,
          rule: r.rule,
          op: r.op,
          instance: r.instance,
        },
        key: r.key,
        value: new Uint8Array(r.value),
      }),
    );
    entries.sort(compareEntries);
    return { backend: "sqlite", entries };
  }

  async restore(snapshot: StateSnapshot): Promise<void> {
    for (const e of snapshot.entries) checkPut("sqlite", this.limits, e.instance, e.key, e.value);
    this.#run(undefined, () => this.#restoreTx(snapshot.entries));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  /** Runs `fn`, turning a SQLite failure into a HostError naming the instance and the backend. */
  #run<T>(
    instance: StateInstance | undefined,
    fn: () => T,
    ctx: { plugin?: string; rule?: string } = {},
  ): T {
    if (this.#closed) throw closedError("sqlite", instance);
    try {
      return fn();
    } catch (cause) {
      if (cause instanceof HostError) throw cause;
      throw new HostError(
        "PORTABLE_E_STATE",
        `sqlite state store ${this.path}: ${(cause as Error).message}`,
        stateContext("sqlite", instance, { ...ctx, path: this.path, cause }),
      );
    }
  }
}

const idOf = (i: StateInstance) => [i.plugin, i.symbol, i.rule, i.op, i.instance] as const;
