// One running sink instance (PROTOCOL.md §4.5, §5.3): listen with PULL for
// the host's rows, hand each message to the user's `collect`, and ack it when
// the start command's config has `requireAck: true` (and only then: acks
// nobody reads would fill the socket).

import { PullSocket, PushSocket } from "@portable-plugins/nng";
import {
  type Control,
  decodeSinkData,
  encodeSinkAck,
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type Meta,
  sinkAckChannelUrl,
  sinkChannelUrl,
} from "@portable-plugins/protocol";
import type { Sink, SinkData } from "../api.js";
import { messageOf } from "../errors.js";
import { instanceContext } from "./context.js";
import type { RuntimeSettings, SymbolInstance } from "./symbol-instance.js";

export function sinkData(raw: Buffer): SinkData {
  let decoded: JsonValue | undefined;
  const json = () => {
    decoded ??= decodeSinkData(raw);
    return decoded;
  };
  return {
    raw,
    json,
    rows: () => {
      const v = json();
      const list = Array.isArray(v) ? v : [v];
      return list.filter((r): r is JsonObject => isJsonObject(r));
    },
  };
}

/** `requireAck: true`, or 1.x's `requiredACKs` > 0. */
export function wantsAcks(config: JsonObject | undefined): boolean {
  if (!config) return false;
  const v = config["requireAck"];
  const legacy = config["requiredACKs"];
  return v === true || (typeof legacy === "number" && legacy > 0);
}

export async function startSink(
  settings: RuntimeSettings,
  symbol: string,
  sink: Sink,
  control: Control,
  meta: Meta,
): Promise<SymbolInstance> {
  const abort = new AbortController();
  const ctx = instanceContext(settings, symbol, meta, abort.signal);
  await sink.configure?.(control.config ?? {});
  await sink.open?.(ctx);

  const pull = new PullSocket({ recvMaxSize: 0 });
  let ack: PushSocket | undefined;
  try {
    await pull.listen(sinkChannelUrl(meta, settings.socketDir));
    if (wantsAcks(control.config)) {
      ack = new PushSocket({ sendTimeout: settings.sendTimeout });
      await ack.dial(sinkAckChannelUrl(meta, settings.socketDir));
    }
  } catch (err) {
    await Promise.all([pull.close(), ack?.close()]);
    await sink.close?.(ctx);
    throw err;
  }

  const running = (async () => {
    for await (const raw of pull) {
      let result: { ok: true } | { ok: false; error: string } = { ok: true };
      try {
        await sink.collect(ctx, sinkData(raw));
      } catch (err) {
        result = { ok: false, error: messageOf(err) };
        ctx.logger.error(`collect failed: ${result.error}`);
      }
      if (ack && !abort.signal.aborted) {
        await ack.send(encodeSinkAck(result)).catch((err: unknown) => {
          if (!abort.signal.aborted) ctx.logger.warn(`ack not delivered: ${messageOf(err)}`);
        });
      }
    }
  })();

  return {
    async stop() {
      abort.abort();
      await Promise.all([pull.close(), ack?.close()]);
      await running;
      try {
        await sink.close?.(ctx);
      } catch (err) {
        ctx.logger.warn(`close failed: ${messageOf(err)}`);
      }
    },
  };
}
