// Steps on the control channel: the handshake, starts and stops as a host
// sends them, raw commands, and checks of the answers (PROTOCOL.md §4.2, §4.3).

import {
  formatHandshake,
  parseHandshake,
  SYMBOL_KINDS,
  symbolListOf,
} from "@portable-plugins/protocol";
import type { Outcome } from "../driver/session.js";
import { ConformanceError } from "../errors.js";
import type { StepParams } from "../scenario/types.js";
import { defaultConfig, type StepContext } from "./context.js";
import { type Finding, fail, judge, mismatch, PASS } from "./findings.js";

function outcomeText(o: Outcome): string {
  return o.answer !== undefined ? JSON.stringify(o.answer) : `no answer (${o.failure})`;
}

/** start/stop are answered `ok` unless the case looks at the answer itself. */
function impliedOk(ctx: StepContext, what: string, o: Outcome): Finding {
  if (ctx.next === "expectAnswer") return PASS;
  if (o.answer === "ok") return PASS;
  return fail(`${what}: expected the answer "ok", got ${outcomeText(o)} (§4.2.3)`);
}

export async function expectHandshake(
  p: StepParams["expectHandshake"],
  ctx: StepContext,
): Promise<Finding> {
  const first = ctx.session.handshake;
  const text = first?.toString("utf8");
  const expected = ctx.expectedVersion;
  const want = expected === undefined ? "no handshake" : formatHandshake(expected).toString();
  const announced = first === undefined ? undefined : parseHandshake(first);
  const finding =
    first === undefined
      ? fail("no first request on the control channel")
      : announced === expected
        ? PASS
        : fail(
            `first request was ${JSON.stringify(text)}, expected ${JSON.stringify(want)} (§4.2.1, §10.3: the highest offered version the plugin declares)`,
          );
  return judge(finding, { text, none: first === undefined }, p);
}

export async function start(p: StepParams["start"], ctx: StepContext): Promise<Finding> {
  const kind = p.kind ?? ctx.kind;
  const symbol = p.symbol ?? ctx.symbol;
  if (!kind || !symbol) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_SCENARIO",
      "start: no kind/symbol (give them or use forEach)",
    );
  }
  const as = p.as ?? (kind === "function" ? symbol : "main");
  const base = p.config ?? defaultConfig(ctx, kind, symbol);
  const config = p.with ? { ...base, ...p.with } : base;
  const meta = {
    ...(p.ruleId !== undefined ? { ruleId: p.ruleId } : {}),
    ...(p.opId !== undefined ? { opId: p.opId } : {}),
    ...(p.instanceId !== undefined ? { instanceId: p.instanceId } : {}),
  };
  const { outcome, channelFailure } = await ctx.session.start({
    kind,
    symbol,
    as,
    config,
    dataSource: p.dataSource,
    dataSourceKey: p.dataSourceKey,
    meta,
    withoutMeta: p.withoutMeta === true,
  });
  if (channelFailure) return fail(`function ${symbol}: ${channelFailure} (§5.3.3, §4.6)`);
  return impliedOk(ctx, `start of ${kind} ${symbol}`, outcome);
}

export async function stop(p: StepParams["stop"], ctx: StepContext): Promise<Finding> {
  const label = p.as ?? (ctx.kind === "function" ? ctx.symbol : "main") ?? "main";
  const outcome = await ctx.session.stop(label);
  return impliedOk(ctx, `stop of ${label}`, outcome);
}

export async function expectAnswer(
  p: StepParams["expectAnswer"],
  ctx: StepContext,
): Promise<Finding> {
  const o = ctx.session.lastAnswer;
  if (!o)
    throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "expectAnswer: no command was sent");
  const observation = { text: o.answer, none: o.answer === undefined };
  let finding: Finding = PASS;
  if (o.answer === undefined) finding = fail(`no answer: ${o.failure} (§5.2, §5.4)`);
  else if (p.ok && o.answer !== "ok") finding = fail(`answer ${outcomeText(o)}, expected "ok"`);
  else if (p.error) {
    if (o.answer === "ok") finding = fail(`answer "ok", expected an error text (§4.3)`);
    else if (o.answer === "")
      finding = fail("empty answer: an error text must not be empty (§4.2.3)");
    else {
      const wrong = mismatch(p.error, o.answer);
      if (wrong) finding = fail(`error answer ${wrong} (§4.2.3)`);
    }
  }
  return judge(finding, observation, p);
}

/**
 * After a negative case: the plugin still works. A start of the case's symbol
 * (else the first source, sink or function of the manifest) with its default
 * config must be answered `ok`; a plugin that refuses every command would
 * otherwise pass every negative case.
 */
export async function expectServes(
  p: StepParams["expectServes"],
  ctx: StepContext,
): Promise<Finding> {
  let kind = ctx.kind;
  let symbol = ctx.symbol;
  if (!kind || !symbol) {
    for (const k of SYMBOL_KINDS) {
      const first = ctx.subject.manifest[symbolListOf(k)][0];
      if (first !== undefined) {
        kind = k;
        symbol = first;
        break;
      }
    }
  }
  if (!kind || !symbol) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_SCENARIO",
      "expectServes: the plugin offers no symbol",
    );
  }
  const { outcome, channelFailure } = await ctx.session.start({
    kind,
    symbol,
    as: kind === "function" ? symbol : "alive",
    config: defaultConfig(ctx, kind, symbol),
  });
  let finding: Finding = PASS;
  if (outcome.answer !== "ok") {
    finding = fail(
      `afterwards a good start of ${kind} ${symbol} got ${outcomeText(outcome)}, not "ok": the plugin no longer works, so its refusal above proves nothing (§4.2.2, §9.2)`,
    );
  } else if (channelFailure) {
    finding = fail(`afterwards function ${symbol}: ${channelFailure} (§5.3.3)`);
  }
  return judge(finding, { text: outcome.answer, none: outcome.answer === undefined }, p);
}
