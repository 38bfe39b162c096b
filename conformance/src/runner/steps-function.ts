// Steps on function channels: calls as the host encodes them, checks of the
// replies, keepalives and the number of dialers (PROTOCOL.md §4.6, §5.2, §5.3.3).

import {
  encodeFunctionCall,
  type FuncMeta,
  FuncReply,
  type JsonValue,
  parseHandshake,
} from "@portable-plugins/protocol";
import { ConformanceError } from "../errors.js";
import type { StepParams } from "../scenario/types.js";
import type { StepContext } from "./context.js";
import { type Finding, fail, judge, mismatch, PASS } from "./findings.js";
import { jsonEqual, short } from "./json-match.js";

function symbolOf(ctx: StepContext, given: string | undefined, step: string): string {
  const s = given ?? ctx.symbol;
  if (!s)
    throw new ConformanceError(
      "PORTABLE_E_CONF_SCENARIO",
      `${step}: no function (give one or use forEach)`,
    );
  return s;
}

export async function call(p: StepParams["call"], ctx: StepContext): Promise<Finding> {
  const symbol = symbolOf(ctx, p.function, "call");
  const args = (p.args ?? []) as JsonValue[];
  let bytes: Buffer;
  if (p.method === "Validate") bytes = encodeFunctionCall({ func: "Validate", args });
  else if (p.method === "IsAggregate") bytes = encodeFunctionCall({ func: "IsAggregate" });
  else if (p.method === "Exec" && p.context !== false) {
    const context = {
      ruleId: ctx.rule,
      opId: "op1",
      instanceId: 0,
      funcId: 0,
      ...(p.context ?? {}),
    } as FuncMeta;
    bytes = encodeFunctionCall({ func: "Exec", args, context });
  } else {
    // An unknown call, or Exec without its context: what the codec refuses to write.
    bytes = Buffer.from(JSON.stringify({ func: p.method, arg: p.args ?? null }));
  }
  const outcome = await ctx.session.call(symbol, bytes);
  if (outcome.answer === undefined)
    return fail(`${p.method}: no reply: ${outcome.failure} (§4.6.3, §5.4)`);
  return PASS;
}

export async function expectReply(
  p: StepParams["expectReply"],
  ctx: StepContext,
): Promise<Finding> {
  const o = ctx.session.lastReply;
  if (!o) throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "expectReply: no call was made");
  if (o.answer === undefined) {
    return judge(fail(`no reply: ${o.failure} (§4.6.3)`), { none: true }, p);
  }
  let reply: FuncReply;
  try {
    reply = FuncReply.decode(o.answer);
  } catch (err) {
    return judge(
      fail(
        `reply ${short(o.answer)} is not a FuncReply {"state":bool,"result":any}: ${(err as Error).message} (§4.6.3)`,
      ),
      { text: o.answer },
      p,
    );
  }
  const raw = JSON.parse(o.answer) as Record<string, unknown>;
  const result = reply.result;
  const text = typeof result === "string" ? result : JSON.stringify(result);
  const observation = { text, resultNotString: typeof result !== "string" };
  let finding: Finding = PASS;
  const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  if (!Object.hasOwn(raw, "result"))
    finding = fail(`reply ${short(o.answer)} has no "result" key (§4.6.3: always written)`);
  else if (p.state !== undefined && reply.state !== p.state) {
    finding = fail(`state ${reply.state} (result ${short(result)}), expected ${p.state}`);
  } else if (p.result !== undefined && !jsonEqual(result, p.result)) {
    finding = fail(`result ${short(result)}, expected ${short(p.result)}`);
  } else if (p.resultType !== undefined && typeOf(result) !== p.resultType) {
    finding = fail(
      `result ${short(result)} is ${typeOf(result)}, expected ${p.resultType} (§4.6.3)`,
    );
  } else if (p.resultMatches) {
    const wrong =
      typeof result === "string"
        ? mismatch(p.resultMatches, result)
        : `result ${short(result)} is not a string`;
    if (wrong) finding = fail(`${wrong} (§4.6.3)`);
  }
  return judge(finding, observation, p);
}

/** Handshakes that follow an answer on the channel: keepalives (§5.2). */
export async function expectKeepalive(
  p: StepParams["expectKeepalive"],
  ctx: StepContext,
): Promise<Finding> {
  const label =
    p.channel === "control"
      ? "control"
      : `function:${symbolOf(ctx, p.function, "expectKeepalive")}`;
  let answered = false;
  let keepalives = 0;
  for (const e of ctx.session.transcript.receivedOn(label)) {
    const isShake = parseHandshake(e.text) !== undefined;
    if (isShake && answered) keepalives++;
    if (!isShake) answered = true;
  }
  const want = p.atLeast ?? 1;
  const finding =
    keepalives >= want
      ? PASS
      : fail(
          `${keepalives} keepalive handshake(s) on the ${label} channel while idle, expected at least ${want} (§5.2: K = 5 s recommended)`,
        );
  return judge(finding, { none: keepalives === 0 }, p);
}

export async function expectPeers(
  p: StepParams["expectPeers"],
  ctx: StepContext,
): Promise<Finding> {
  const symbol = symbolOf(ctx, p.function, "expectPeers");
  const fn = ctx.session.functions.get(symbol);
  if (!fn)
    throw new ConformanceError(
      "PORTABLE_E_CONF_SCENARIO",
      `expectPeers: function ${symbol} not started`,
    );
  const peers = fn.maxPeers;
  const finding =
    peers === p.count
      ? PASS
      : fail(
          `${peers} connection(s) on ${fn.url}, expected ${p.count} (§4.3: a repeated function start is a no-op)`,
        );
  return judge(finding, { peers }, p);
}
