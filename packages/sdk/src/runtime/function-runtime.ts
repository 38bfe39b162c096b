// One function symbol (PROTOCOL.md §4.6, §5.3): a REQ socket dialed to the
// host's function channel, serving Validate / Exec / IsAggregate one call at
// a time. Errors in user code become `state: false` replies, never a crash.
// On a version-2 process the channel carries batches instead (function-v2.ts).

import { ReqSocket } from "@portable-plugins/nng";
import {
  decodeFunctionCall,
  FuncReply,
  type FunctionCall,
  formatHandshake,
  functionChannelUrl,
  type JsonValue,
} from "@portable-plugins/protocol";
import type { PluginFunction } from "../api.js";
import { messageOf } from "../errors.js";
import { createLogger } from "../logger.js";
import { functionContext } from "./context.js";
import { answerBatch } from "./function-v2.js";
import { serveInvertedReq } from "./inverted-req.js";
import type { RuntimeSettings, SymbolInstance } from "./symbol-instance.js";

const reply = (state: boolean, result: JsonValue) => FuncReply.encode({ state, result });

export async function answerCall(
  fn: PluginFunction,
  call: FunctionCall,
  signal: AbortSignal,
  logger = createLogger("function"),
): Promise<Buffer> {
  try {
    switch (call.func) {
      case "Validate":
        await fn.validate?.(call.args);
        return reply(true, "");
      case "Exec": {
        const result = await fn.exec(call.args, functionContext(logger, call.context, signal));
        return reply(true, result === undefined ? null : result);
      }
      case "IsAggregate":
        return reply(true, fn.isAggregate?.() ?? false);
    }
  } catch (err) {
    return reply(false, messageOf(err));
  }
}

export async function startFunction(
  settings: RuntimeSettings,
  symbol: string,
  fn: PluginFunction,
): Promise<SymbolInstance> {
  const abort = new AbortController();
  const logger = settings.loggerFor(`${settings.plugin}/${symbol}`);
  const url = functionChannelUrl(symbol, settings.socketDir);
  const req = new ReqSocket({ resendTime: 0, reconnectTime: 100, reconnectMaxTime: 1000 });
  // The same handshake form as on the control channel (§10.3).
  const handshake = formatHandshake(settings.protocolVersion);
  try {
    await req.dial(url);
    // Handshake before the start is answered ok (PROTOCOL.md §5.1, A.4).
    await req.send(handshake);
  } catch (err) {
    await req.close();
    throw err;
  }
  const v1 = async (message: Buffer): Promise<Buffer> => {
    let call: FunctionCall;
    try {
      call = decodeFunctionCall(message);
    } catch (err) {
      return reply(false, `invalid call: ${messageOf(err)}`);
    }
    return answerCall(fn, call, abort.signal, logger);
  };
  // Version 2: call batches and reply batches (§12.3); version 1 untouched.
  const handle =
    settings.protocolVersion >= 2
      ? (message: Buffer) => answerBatch(fn, message, abort.signal, logger)
      : v1;
  const serving = serveInvertedReq(req, handle, {
    handshake,
    keepaliveMs: settings.keepaliveMs,
    signal: abort.signal,
    handshakeSent: true,
  }).catch((err: unknown) => logger.error(`function channel failed: ${messageOf(err)}`));
  return {
    async stop() {
      abort.abort();
      await req.close();
      await serving;
    },
  };
}
