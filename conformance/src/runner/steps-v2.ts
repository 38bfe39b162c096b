// Steps that speak version 2 (PROTOCOL.md §12): function call batches and
// the checks of their reply batches (§12.3, §12.6), source rows and flow
// control (§12.4); a source's typed error must carry a code of the list
// (§12.6; the decoder checks its class). Bodies are written and read by the
// protocol package's generated codecs and their checking wrappers;
// `unchecked` batches (over a limit, a repeated id) skip only the wrapper,
// as a broken host would.

import {
  CallBatchV2,
  type CallV2,
  decodeReplyBatch,
  decodeSourceRows,
  encodeCallBatch,
  isErrorCode,
  matchReplies,
  type ReplyBatch,
  type ReplyV2,
  V2_LIMITS,
  v2KindOf,
} from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import type { StepParams } from "../scenario/types.js";
import type { StepContext } from "./context.js";
import { type Finding, fail, PASS, warn } from "./findings.js";
import { jsonEqual, short } from "./json-match.js";

type ErrorMatch = { readonly code: string; readonly class: string };

function functionOf(ctx: StepContext, given: string | undefined, step: string): string {
  const s = given ?? ctx.symbol;
  if (!s) throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", `${step}: no function`);
  return s;
}

/** The calls of a `callBatch` step: `calls` repeated up to `repeat`, numbered, with contexts. */
export function batchCalls(p: StepParams["callBatch"], rule: string): CallV2[] {
  const n = p.repeat ?? p.calls.length;
  return Array.from({ length: n }, (_, i): CallV2 => {
    const c = p.calls[i % p.calls.length] as StepParams["callBatch"]["calls"][number];
    const args = c.args ?? [];
    if (!Array.isArray(args))
      throw new ConformanceError(
        "PORTABLE_E_CONF_SCENARIO",
        `callBatch: args ${short(args)} is not an array`,
      );
    const call: CallV2 = { id: c.id ?? i + 1, kind: c.kind, args };
    if (c.kind === "EXEC") {
      call.context = { ruleId: rule, opId: "op1", instanceId: i, funcId: 0, ...(c.context ?? {}) };
    }
    return call;
  });
}

export async function callBatch(p: StepParams["callBatch"], ctx: StepContext): Promise<Finding> {
  const symbol = functionOf(ctx, p.function, "callBatch");
  const calls = batchCalls(p, ctx.rule);
  const encoding = p.json ? "json" : "protobuf";
  const body = p.unchecked
    ? CallBatchV2.encode({ calls }, encoding)
    : encodeCallBatch(calls, encoding);
  const outcome = await ctx.session.call(symbol, body);
  ctx.session.lastBatchCalls = calls;
  if (outcome.raw === undefined)
    return fail(`a batch of ${calls.length} call(s): no reply batch: ${outcome.failure} (§12.3)`);
  return PASS;
}

function errorMismatch(
  what: string,
  got: { code: string; class: string } | undefined,
  want: ErrorMatch,
): string | undefined {
  if (!got) return `${what} has no error, expected ${want.code} ${want.class} (§12.6)`;
  if (got.code !== want.code || got.class !== want.class)
    return `${what} has error ${got.code} ${got.class}, expected ${want.code} ${want.class} (§12.6)`;
  return undefined;
}

function checkReply(
  r: ReplyV2,
  call: CallV2 | undefined,
  p: StepParams["expectReplyBatch"],
): string | undefined {
  const what = `reply ${r.id}`;
  const each = p.each;
  if (each?.ok && r.error)
    return `${what} failed: ${r.error.code} ${r.error.class} ${JSON.stringify(r.error.message)}`;
  if (each?.error) {
    const wrong = errorMismatch(what, r.error, each.error);
    if (wrong) return wrong;
  }
  if (each?.resultIsFirstArg && !r.error && call?.kind === "EXEC") {
    const want = call.args[0] ?? null;
    if (!jsonEqual(r.result, want))
      return `${what}: result ${short(r.result)}, expected the call's argument ${short(want)}`;
  }
  const byId = p.replies?.find((x) => x.id === r.id);
  if (byId?.error) {
    const wrong = errorMismatch(what, r.error, byId.error);
    if (wrong) return wrong;
  } else if (byId && r.error) {
    return `${what} failed: ${r.error.code} ${r.error.class} ${JSON.stringify(r.error.message)}, expected a result`;
  }
  if (byId && byId.result !== undefined && !jsonEqual(r.result, byId.result))
    return `${what}: result ${short(r.result)}, expected ${short(byId.result)}`;
  return undefined;
}

export async function expectReplyBatch(
  p: StepParams["expectReplyBatch"],
  ctx: StepContext,
): Promise<Finding> {
  const o = ctx.session.lastReply;
  if (!o) throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "expectReplyBatch: no call");
  if (o.raw === undefined) return fail(`no reply batch: ${o.failure} (§12.3)`);
  const kind = v2KindOf(o.raw);
  if (kind?.kind !== "ReplyBatchV2")
    return fail(
      `reply ${short(o.raw.subarray(0, 24).toString("hex"))}… is not a version-2 ReplyBatchV2 body (02 02, §12.2): ${kind ? `kind ${kind.kind}` : "no version-2 prefix"}`,
    );
  let batch: ReplyBatch;
  try {
    batch = decodeReplyBatch(o.raw);
  } catch (err) {
    return fail(`the reply batch does not decode: ${(err as Error).message} (§12.2, §12.3)`);
  }
  if (p.error) {
    const wrong = errorMismatch("the reply batch", batch.error, p.error);
    if (wrong)
      return fail(
        batch.error ? wrong : `${batch.replies.length} replies, expected the batch error alone`,
      );
    return PASS;
  }
  if (batch.error)
    return fail(
      `the batch failed as a whole: ${batch.error.code} ${batch.error.class} ${JSON.stringify(batch.error.message)} (§12.3)`,
    );
  const calls = ctx.session.lastBatchCalls ?? [];
  let ordered: ReplyV2[];
  try {
    ordered = matchReplies(
      calls.map((c) => c.id),
      batch,
    );
  } catch (err) {
    return fail(`${(err as Error).message} (§12.3: every call answered exactly once)`);
  }
  const byId = new Map(calls.map((c) => [c.id, c]));
  for (const r of ordered) {
    const wrong = checkReply(r, byId.get(r.id), p);
    if (wrong) return fail(wrong);
  }
  return PASS;
}

function sourceOf(ctx: StepContext, as: string | undefined, step: string) {
  const label = as ?? "main";
  const source = ctx.session.instances.get(label)?.source;
  if (!source)
    throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", `${step}: no running source "${label}"`);
  return source;
}

/** Checks every body of `raw` (distinct buffers in arrival order); the failure text, if any. */
function checkRowBodies(bodies: readonly Buffer[]): { wrong?: string; json: number } {
  let json = 0;
  for (const [i, body] of bodies.entries()) {
    const n = `message ${i + 1}`;
    const kind = v2KindOf(body);
    if (kind?.kind !== "SourceRowsV2")
      return {
        wrong: `${n} ${short(body.subarray(0, 40).toString("utf8"))} is not a SourceRowsV2 body (02 03, §12.2, §12.4)`,
        json,
      };
    if (kind.encoding === "json") json++;
    try {
      const msg = decodeSourceRows(body);
      if (msg.rows.length === 0 && !msg.error)
        return { wrong: `${n} has no rows and no error (§12.4)`, json };
      if (msg.error && !isErrorCode(msg.error.code))
        return {
          wrong: `${n} carries error code ${JSON.stringify(msg.error.code)}, not a code of the list (§9.5, §12.6: senders use codes of the list)`,
          json,
        };
      if (msg.rows.length > V2_LIMITS.maxRowsPerMessage)
        return { wrong: `${n} has ${msg.rows.length} rows, at most 4096 (§12.2)`, json };
    } catch (err) {
      return { wrong: `${n} does not decode: ${(err as Error).message} (§12.2)`, json };
    }
  }
  return { json };
}

export async function expectSourceRows(
  p: StepParams["expectSourceRows"],
  ctx: StepContext,
): Promise<Finding> {
  const channel = sourceOf(ctx, p.as, "expectSourceRows");
  const count = p.count ?? 1;
  const within = p.within ?? 5000;
  const items = await channel.waitFor(count, within, ctx.session.stopSignal());
  const bodies = [...new Set(channel.items.map((it) => it.raw))];
  channel.cursor += items.length;
  const { wrong, json } = checkRowBodies(bodies);
  if (wrong) return fail(wrong);
  const rows = items.filter((it) => it.item.type === "data");
  const notObject = rows.find(
    (it) =>
      it.item.type === "data" &&
      (typeof it.item.message !== "object" ||
        Array.isArray(it.item.message) ||
        it.item.message === null),
  );
  if (notObject && notObject.item.type === "data")
    return fail(
      `a row's message is ${short(notObject.item.message)}, always an object in version 2 (§12.4)`,
    );
  if (rows.length < count)
    return fail(
      `${rows.length} of ${count} rows within ${within} ms in ${bodies.length} message(s) (§12.4)`,
    );
  if (json > 0)
    return warn(
      `${json} of ${bodies.length} messages in the JSON form; a sender SHOULD use protobuf (§12.2)`,
    );
  return PASS;
}

export async function pauseSource(
  p: StepParams["pauseSource"],
  ctx: StepContext,
): Promise<Finding> {
  const channel = sourceOf(ctx, p.as, "pauseSource");
  const pauseMs = p.for ?? 3000;
  const resumeWithin = p.resumeWithin ?? 5000;
  channel.pause();
  await new Promise((r) => setTimeout(r, pauseMs));
  const proc = ctx.session.process;
  if (!proc?.running) {
    channel.resume();
    return fail(
      `the plugin ended while the host did not read its source for ${pauseMs} ms (§12.4: its emit waits)`,
    );
  }
  const before = channel.items.length;
  channel.resume();
  const after = await channel.waitFor(
    before - channel.cursor + 1,
    resumeWithin,
    ctx.session.stopSignal(),
  );
  channel.cursor += after.length;
  if (channel.items.length <= before)
    return fail(`no row within ${resumeWithin} ms after the host read again (§12.4)`);
  const { wrong } = checkRowBodies([...new Set(channel.items.slice(before).map((it) => it.raw))]);
  if (wrong) return fail(`after the pause: ${wrong}`);
  return PASS;
}
