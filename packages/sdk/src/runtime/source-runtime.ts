// One running source instance (PROTOCOL.md §4.4, §5.3): configure, dial the
// host's PULL socket with PUSH, run the user's `open`, and send each emitted
// message as an envelope until stop. On a version-2 process the rows go out
// coalesced, with back-pressure, through SourceSenderV2 (§12.4).

import { PushSocket } from "@portable-plugins/nng";
import {
  type Control,
  dataSourceOf,
  encodeSourceData,
  encodeSourceError,
  type JsonObject,
  type JsonValue,
  type Meta,
  sourceChannelUrl,
} from "@portable-plugins/protocol";
import type { Source, SourceContext, SourceTuple } from "../api.js";
import { messageOf } from "../errors.js";
import { instanceContext } from "./context.js";
import { SourceSenderV2 } from "./source-sender-v2.js";
import type { RuntimeSettings, SymbolInstance } from "./symbol-instance.js";

const SETTLED: Promise<void> = Promise.resolve();

function isAsyncIterable(v: unknown): v is AsyncIterable<SourceTuple> {
  return typeof v === "object" && v !== null && Symbol.asyncIterator in v;
}

export async function startSource(
  settings: RuntimeSettings,
  symbol: string,
  source: Source,
  control: Control,
  meta: Meta,
): Promise<SymbolInstance> {
  const abort = new AbortController();
  const base = instanceContext(settings, symbol, meta, abort.signal);
  await source.configure?.(dataSourceOf(control) ?? "", control.config ?? {});

  const url = sourceChannelUrl(meta, settings.socketDir);
  const push = new PushSocket({
    sendTimeout: settings.sendTimeout,
    reconnectTime: 100,
    reconnectMaxTime: 1000,
  });
  try {
    await push.dial(url);
  } catch (err) {
    await push.close();
    throw err;
  }

  let dropped = 0;
  // The hot path: a pipe takes the message at once, and `emit` returns a
  // settled promise without allocating one per message.
  const send = (bytes: Buffer): Promise<void> => {
    if (abort.signal.aborted || push.trySend(bytes)) return SETTLED;
    return sendWaiting(bytes);
  };
  const sendWaiting = async (bytes: Buffer) => {
    if (abort.signal.aborted) return;
    try {
      await push.send(bytes);
    } catch (err) {
      if (abort.signal.aborted) return;
      // As the reference SDKs: a message the host does not take in time is dropped.
      dropped++;
      base.logger.warn(`dropped a message (${dropped} so far): ${messageOf(err)}`);
    }
  };
  const v2 =
    settings.protocolVersion >= 2
      ? new SourceSenderV2({
          push,
          signal: abort.signal,
          where: { plugin: settings.plugin, symbol, url },
          onRetry: (err) => base.logger.warn(`send not taken in time, retrying: ${messageOf(err)}`),
          onFirstWait: () =>
            base.logger.info("send queue full: emit waits for the host (back-pressure, §12.4)"),
        })
      : undefined;
  const ctx: SourceContext = v2
    ? {
        ...base,
        emit: (message: JsonValue, meta?: JsonObject | null) => v2.emit(message, meta ?? null),
        emitError: (error: unknown) => v2.emitError(messageOf(error)),
      }
    : {
        ...base,
        emit: (message: JsonValue, meta?: JsonObject | null) =>
          send(encodeSourceData(message, meta ?? null)),
        emitError: (error: unknown) => send(encodeSourceError(messageOf(error))),
      };

  const running = (async () => {
    try {
      const produced = await source.open(ctx);
      if (isAsyncIterable(produced)) {
        for await (const tuple of produced) {
          if (abort.signal.aborted) break;
          await ctx.emit(tuple.message, tuple.meta ?? null);
        }
      }
    } catch (err) {
      if (!abort.signal.aborted) {
        base.logger.error(`source failed: ${messageOf(err)}`);
        await ctx.emitError(err);
      }
    }
  })();

  return {
    async stop() {
      abort.abort();
      await push.close();
      await running;
      try {
        await source.close?.(base);
      } catch (err) {
        base.logger.warn(`close failed: ${messageOf(err)}`);
      }
    },
  };
}
