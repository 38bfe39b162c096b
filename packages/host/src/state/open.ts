// Opens the state store a host's options select (PROTOCOL.md §13): SQLite by
// default, in the data folder; Redis when a URL is given.
import { join } from "node:path";
import { type RedisStateOptions, RedisStateStore } from "./redis.js";
import { type SqliteStateOptions, SqliteStateStore } from "./sqlite.js";
import type { StateStore } from "./store.js";

/** `PortableHostOptions.state`: which backend keeps plugin state. */
export type StateOptions =
  | ({ readonly backend: "sqlite" } & Partial<SqliteStateOptions>)
  | ({ readonly backend: "redis" } & RedisStateOptions);

/** Where the SQLite backend keeps its file when no path is given. */
export function defaultStatePath(stateDir: string): string {
  return join(stateDir, "state.db");
}

/** Opens the backend `options` name; SQLite at `defaultStatePath(stateDir)` when no path is given. */
export async function openStateStore(
  options: StateOptions | undefined,
  stateDir: string,
): Promise<StateStore> {
  if (options?.backend === "redis") return RedisStateStore.open(options);
  return new SqliteStateStore({ ...options, path: options?.path ?? defaultStatePath(stateDir) });
}
