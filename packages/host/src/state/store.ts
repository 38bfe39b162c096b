// The host's state store (PROTOCOL.md §13): one small interface, implemented by
// the SQLite backend (sqlite.ts, the default) and the Redis backend (redis.ts).
// State is kept per symbol instance (plugin, symbol, rule, op, instance) and,
// inside it, per key; values are opaque bytes (the SDKs put JSON text in them).
// Limits are checked here, the same for every backend; a refused put is a
// PORTABLE_E_STATE_QUOTA, a backend failure a PORTABLE_E_STATE naming the backend.
import { STATE_LIMITS } from "@portable-plugins/protocol";
import { HostError, type HostErrorContext } from "../errors.js";

/** The symbol instance a piece of state belongs to (§13.1). */
export interface StateInstance {
  readonly plugin: string;
  readonly symbol: string;
  readonly rule: string;
  readonly op: string;
  /** The instance number of the rule's operator (Meta.instanceId). */
  readonly instance: number;
}

/** One key of one instance, with its value: an element of a snapshot. */
export interface StateEntry {
  readonly instance: StateInstance;
  readonly key: string;
  readonly value: Uint8Array;
}

/** Every piece of state, read in one consistent view (one transaction, one script). */
export interface StateSnapshot {
  /** The backend it was taken from; a snapshot restores into either backend. */
  readonly backend: StateBackendName;
  readonly entries: readonly StateEntry[];
}

export type StateBackendName = "sqlite" | "redis";

/** What a put may hold (§13.5); defaults are the protocol's STATE_LIMITS. */
export interface StateLimits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly maxKeysPerInstance: number;
}

export interface StateStore {
  readonly backend: StateBackendName;
  readonly limits: StateLimits;
  /** The value of `key` in `instance`, or undefined. Reads every put acked before. */
  get(instance: StateInstance, key: string): Promise<Uint8Array | undefined>;
  /** Sets `key`; resolves once durable (§13.4). PORTABLE_E_STATE_QUOTA when over a limit. */
  put(instance: StateInstance, key: string, value: Uint8Array): Promise<void>;
  /** Removes `key`; true when it existed. */
  delete(instance: StateInstance, key: string): Promise<boolean>;
  /** The keys `instance` holds, sorted. */
  keys(instance: StateInstance): Promise<string[]>;
  /** Removes every instance's state of `plugin` (uninstall); the number of keys removed. */
  dropPlugin(plugin: string): Promise<number>;
  /** Removes every instance's state of `rule`, of any plugin (the rule is gone); keys removed. */
  dropRule(rule: string): Promise<number>;
  /** All state, consistent: no put, delete or drop is half in it. */
  snapshot(): Promise<StateSnapshot>;
  /** Replaces all state with `snapshot`'s, atomically. */
  restore(snapshot: StateSnapshot): Promise<void>;
  /** Closes the backend; later calls fail with PORTABLE_E_CLOSED. Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_STATE_LIMITS: StateLimits = {
  maxKeyBytes: STATE_LIMITS.maxKeyBytes,
  maxValueBytes: STATE_LIMITS.maxValueBytes,
  maxKeysPerInstance: STATE_LIMITS.maxKeysPerInstance,
};

/** The context of a HostError about `instance` in `backend`. */
export function stateContext(
  backend: StateBackendName,
  instance?: StateInstance,
  extra: HostErrorContext = {},
): HostErrorContext {
  return {
    backend,
    ...(instance === undefined
      ? {}
      : { plugin: instance.plugin, symbol: instance.symbol, rule: instance.rule }),
    ...extra,
  };
}

/** Names the instance in a message: `plugin/symbol rule/op#instance`. */
export function describeInstance(i: StateInstance): string {
  return `${i.plugin}/${i.symbol} ${i.rule}/${i.op}#${i.instance}`;
}

/** Refuses a malformed instance or key, and a key or value over the limits (before the backend). */
export function checkPut(
  backend: StateBackendName,
  limits: StateLimits,
  instance: StateInstance,
  key: string,
  value: Uint8Array,
): void {
  checkKey(backend, limits, instance, key);
  if (value.byteLength > limits.maxValueBytes) {
    throw new HostError(
      "PORTABLE_E_STATE_QUOTA",
      `state value of ${describeInstance(instance)} key "${key}" is ${value.byteLength} bytes, over the limit of ${limits.maxValueBytes} (${backend})`,
      stateContext(backend, instance, { field: "value" }),
    );
  }
}

/** Refuses a malformed instance or a key over the limit. */
export function checkKey(
  backend: StateBackendName,
  limits: StateLimits,
  instance: StateInstance,
  key: string,
): void {
  checkInstance(backend, instance);
  const bytes = Buffer.byteLength(key, "utf8");
  if (bytes === 0 || bytes > limits.maxKeyBytes) {
    throw new HostError(
      "PORTABLE_E_STATE_QUOTA",
      `state key of ${describeInstance(instance)} is ${bytes} bytes; it must be 1 to ${limits.maxKeyBytes} (${backend})`,
      stateContext(backend, instance, { field: "key" }),
    );
  }
}

/** Refuses an instance with an empty name or a non-integer instance number. */
export function checkInstance(backend: StateBackendName, instance: StateInstance): void {
  for (const field of ["plugin", "symbol", "rule", "op"] as const) {
    if (typeof instance[field] !== "string" || instance[field] === "") {
      throw new HostError(
        "PORTABLE_E_BAD_REQUEST",
        `state instance needs a non-empty ${field} (${backend})`,
        stateContext(backend, instance, { field }),
      );
    }
  }
  if (!Number.isSafeInteger(instance.instance) || instance.instance < 0) {
    throw new HostError(
      "PORTABLE_E_BAD_REQUEST",
      `state instance number must be an integer ≥ 0, not ${instance.instance} (${backend})`,
      stateContext(backend, instance, { field: "instance" }),
    );
  }
}

/** The error a full instance gets (the backend counted its keys). */
export function keysQuotaError(
  backend: StateBackendName,
  limits: StateLimits,
  instance: StateInstance,
  key: string,
): HostError {
  return new HostError(
    "PORTABLE_E_STATE_QUOTA",
    `state of ${describeInstance(instance)} holds ${limits.maxKeysPerInstance} keys, the limit; put of new key "${key}" refused (${backend})`,
    stateContext(backend, instance, { field: "key" }),
  );
}

/** The error a closed store answers. */
export function closedError(backend: StateBackendName, instance?: StateInstance): HostError {
  return new HostError(
    "PORTABLE_E_CLOSED",
    `the ${backend} state store is closed`,
    stateContext(backend, instance),
  );
}

/** Orders entries by instance (plugin, symbol, rule, op, number), then key: a snapshot's order. */
export function compareEntries(a: StateEntry, b: StateEntry): number {
  const x = a.instance;
  const y = b.instance;
  for (const f of ["plugin", "symbol", "rule", "op"] as const) {
    if (x[f] !== y[f]) return x[f] < y[f] ? -1 : 1;
  }
  if (x.instance !== y.instance) return x.instance - y.instance;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
