// Version-2 function channel, plugin side (PROTOCOL.md §12.3): one call batch
// in, one reply batch out. Calls run concurrently, except Exec calls that
// share a context (ruleId, opId, instanceId, funcId), which run one after the
// other in batch order. An exception in user code becomes that call's typed
// error (§12.6); a batch that cannot be used as a whole gets `error` alone.

import {
  type CallV2,
  decodeCallBatch,
  encodeReplyBatch,
  errorV2,
  ProtocolError,
  type ReplyV2,
} from "@portable-plugins/protocol";
import type { Logger, PluginFunction } from "../api.js";
import { messageOf } from "../errors.js";
import { functionContext } from "./context.js";

const NO_CONTEXT = { ruleId: "", opId: "", instanceId: 0, funcId: 0 };

async function runCall(
  fn: PluginFunction,
  call: CallV2,
  signal: AbortSignal,
  logger: Logger,
): Promise<ReplyV2> {
  try {
    switch (call.kind) {
      case "VALIDATE":
        await fn.validate?.(call.args);
        return { id: call.id, result: null };
      case "EXEC": {
        const ctx = functionContext(logger, call.context ?? NO_CONTEXT, signal);
        const result = await fn.exec(call.args, ctx);
        return { id: call.id, result: result === undefined ? null : result };
      }
      case "IS_AGGREGATE":
        return { id: call.id, result: fn.isAggregate?.() ?? false };
    }
  } catch (err) {
    return {
      id: call.id,
      result: null,
      error: errorV2("PORTABLE_E_FUNCTION", "FATAL", messageOf(err)),
    };
  }
}

/** The key that orders Exec calls of one function context (§12.3). */
function contextKey(call: CallV2): string | undefined {
  if (call.kind !== "EXEC") return undefined;
  const c = call.context ?? NO_CONTEXT;
  // Length-prefixed, so no two contexts share a key (JSON.stringify here
  // was a tenth of the plugin's time per call, measured).
  return `${c.ruleId.length}:${c.ruleId}${c.opId.length}:${c.opId}${c.instanceId}:${c.funcId}`;
}

/** Runs every call of `calls`; same-context Exec calls chained in batch order. */
export async function runCalls(
  fn: PluginFunction,
  calls: readonly CallV2[],
  signal: AbortSignal,
  logger: Logger,
): Promise<ReplyV2[]> {
  const chains = new Map<string, Promise<unknown>>();
  return Promise.all(
    calls.map((call) => {
      const key = contextKey(call);
      if (key === undefined) return runCall(fn, call, signal, logger);
      const previous = chains.get(key);
      const next = previous
        ? previous.then(() => runCall(fn, call, signal, logger))
        : runCall(fn, call, signal, logger);
      chains.set(key, next);
      return next;
    }),
  );
}

/** The reply batch for one host message (a CallBatchV2); never throws. */
export async function answerBatch(
  fn: PluginFunction,
  message: Buffer,
  signal: AbortSignal,
  logger: Logger,
): Promise<Buffer> {
  let calls: CallV2[];
  try {
    calls = decodeCallBatch(message);
  } catch (err) {
    const code =
      err instanceof ProtocolError && err.code === "PORTABLE_E_LIMIT"
        ? "PORTABLE_E_LIMIT"
        : "PORTABLE_E_DECODE";
    logger.error(`undecodable call batch: ${messageOf(err)}`);
    return encodeReplyBatch({ replies: [], error: errorV2(code, "FATAL", messageOf(err)) });
  }
  const replies = await runCalls(fn, calls, signal, logger);
  try {
    return encodeReplyBatch({ replies });
  } catch (err) {
    if (err instanceof ProtocolError && err.code === "PORTABLE_E_LIMIT") {
      // Results too large together: the batch fails as a whole (§12.3).
      return encodeReplyBatch({
        replies: [],
        error: errorV2("PORTABLE_E_LIMIT", "FATAL", messageOf(err)),
      });
    }
    // A result that cannot be encoded (NaN, say) fails its own call only.
    return encodeReplyBatch({ replies: replies.map(encodable) });
  }
}

function encodable(reply: ReplyV2): ReplyV2 {
  try {
    encodeReplyBatch({ replies: [reply] });
    return reply;
  } catch (err) {
    return {
      id: reply.id,
      result: null,
      error: errorV2("PORTABLE_E_FUNCTION", "FATAL", `result cannot be encoded: ${messageOf(err)}`),
    };
  }
}
