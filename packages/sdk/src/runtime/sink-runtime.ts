// One running sink instance (PROTOCOL.md §4.5, §5.3): listen with PULL for
// the host's rows, hand each message to the user's `collect`, and ack it when
// the start command's config has `requireAck: true` (and only then: acks
// nobody reads would fill the socket). Version 2 (§12.5): sink-receiver-v2.ts.

import { PullSocket, PushSocket } from "@portable-plugins/nng";
import {
  type Control,
  encodeSinkAck,
  type JsonObject,
  type Meta,
  sinkAckChannelUrl,
  sinkChannelUrl,
} from "@portable-plugins/protocol";
import type { Sink } from "../api.js";
import { messageOf } from "../errors.js";
import { instanceContext } from "./context.js";
import { sinkData } from "./sink-data.js";
import { receiveSinkV2 } from "./sink-receiver-v2.js";
import type { RuntimeSettings, SymbolInstance } from "./symbol-instance.js";

export { sinkData };

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
    if (settings.protocolVersion >= 2) {
      const sendSingle = control.config?.["sendSingle"] === true;
      await receiveSinkV2({ pull, ack, sendSingle, sink, ctx, signal: abort.signal });
      return;
    }
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
