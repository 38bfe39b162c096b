// The host's end of a plugin's version-2 state channel (PROTOCOL.md §13.2,
// §13.3): a REP socket at `state_<plugin>.ipc` that answers each
// StateRequestV2 from the state store, one at a time and in order (§13.4:
// read your writes), only once the store answered. Failures become typed
// errors in the reply (§13.6): a quota FATAL, a backend that lost its
// connection RETRYABLE; a request that does not decode is answered with no id.
import { unlink } from "node:fs/promises";
import { RepSocket } from "@portable-plugins/nng";
import {
  decodeStateRequest,
  type ErrorClass,
  type ErrorV2,
  encodeStateReply,
  type StateReplyV2,
  stateChannelUrl,
  stateSocketPath,
} from "@portable-plugins/protocol";
import { HostError } from "../errors.js";
import type { HostLogger } from "../logger.js";
import { removeStaleSocket } from "../run/socket-files.js";
import type { StateStore } from "./store.js";

export interface StateChannelOptions {
  readonly plugin: string;
  readonly socketDir: string;
  /** The store, opened on first use. */
  readonly store: () => Promise<StateStore>;
  /** The plugin's declared symbols: a request for another one is refused (§13.1). */
  readonly symbols: () => ReadonlySet<string>;
  readonly logger: HostLogger;
  readonly maxMessageBytes?: number;
}

export class StateChannel {
  readonly url: string;
  readonly #o: StateChannelOptions;
  readonly #rep: RepSocket;
  #closed = false;
  #serving: Promise<void> | undefined;

  constructor(options: StateChannelOptions) {
    this.#o = options;
    this.url = stateChannelUrl(options.plugin, options.socketDir);
    this.#rep = new RepSocket(
      options.maxMessageBytes === undefined ? {} : { recvMaxSize: options.maxMessageBytes },
    );
  }

  /** Listens and starts answering; before the first command of a version-2 process (§13.2). */
  async listen(): Promise<void> {
    const path = stateSocketPath(this.#o.plugin, this.#o.socketDir);
    try {
      await removeStaleSocket(path);
      await this.#rep.listen(this.url);
    } catch (cause) {
      throw new HostError(
        "PORTABLE_E_CHANNEL",
        `plugin ${this.#o.plugin}: cannot listen on state channel ${this.url}: ${(cause as Error).message}`,
        { plugin: this.#o.plugin, channel: this.url, cause },
      );
    }
    this.#serving = this.#serve();
  }

  /** Stops answering, closes the socket and removes its file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rep.close();
    await this.#serving;
    await unlink(stateSocketPath(this.#o.plugin, this.#o.socketDir)).catch(() => undefined);
  }

  async #serve(): Promise<void> {
    while (!this.#closed) {
      let body: Buffer;
      try {
        body = await this.#rep.recv();
      } catch {
        return; // closed
      }
      const reply = await this.#answer(body);
      try {
        await this.#rep.send(encodeStateReply(reply));
      } catch (err) {
        if (this.#closed) return;
        this.#o.logger.warn(
          `plugin ${this.#o.plugin}: state reply not sent: ${(err as Error).message}`,
        );
      }
    }
  }

  async #answer(body: Buffer): Promise<StateReplyV2> {
    let id = 0;
    try {
      const req = decodeStateRequest(body);
      id = req.id;
      if (!this.#o.symbols().has(req.symbol)) {
        return fail(
          id,
          "PORTABLE_E_NOT_FOUND",
          "FATAL",
          `plugin ${this.#o.plugin} has no symbol ${req.symbol}`,
        );
      }
      const instance = {
        plugin: this.#o.plugin,
        symbol: req.symbol,
        rule: req.ruleId,
        op: req.opId,
        instance: req.instanceId,
      };
      const store = await this.#o.store();
      switch (req.op) {
        case "GET": {
          const value = await store.get(instance, req.key);
          if (value === undefined) return { id, found: false };
          return value.length > 0 ? { id, found: true, value } : { id, found: true };
        }
        case "PUT":
          await store.put(instance, req.key, req.value ?? new Uint8Array());
          return { id, found: false };
        case "DELETE":
          return { id, found: await store.delete(instance, req.key) };
      }
    } catch (err) {
      if (!HostError.is(err)) {
        // A request that does not decode: no id to answer (§13.3).
        return fail(id, "PORTABLE_E_DECODE", "FATAL", (err as Error).message);
      }
      this.#o.logger.warn(`plugin ${this.#o.plugin}: state request failed: ${err.message}`);
      return fail(id, err.code, classOf(err), err.message);
    }
  }
}

function fail(id: number, code: ErrorV2["code"], cls: ErrorClass, message: string): StateReplyV2 {
  return { id, found: false, error: { code, class: cls, message } };
}

/** The class a plugin sees for a store failure (§13.6). */
function classOf(err: HostError): ErrorClass {
  if (err.code === "PORTABLE_E_STATE") return err.errorClass ?? "RETRYABLE";
  if (err.code === "PORTABLE_E_CLOSED") return "RETRYABLE";
  return "FATAL";
}
