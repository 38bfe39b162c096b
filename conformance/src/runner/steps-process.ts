// Steps on the plugin process and the host's presence: idling, signals,
// exits, restarts with replay, the host going away, and socket files left
// behind (PROTOCOL.md §2.6, §3.4, §8).

import { readdir } from "node:fs/promises";
import { DEFAULT_SOCKET_DIR, functionSocketPath } from "@portable-plugins/protocol";
import { describeExit } from "../driver/plugin-process.js";
import { ConformanceError } from "../errors.js";
import type { StepParams } from "../scenario/types.js";
import type { StepContext } from "./context.js";
import { type Finding, fail, judge, PASS } from "./findings.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function processOf(ctx: StepContext, step: string) {
  const p = ctx.session.process;
  if (!p) throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", `${step}: no plugin process`);
  return p;
}

export async function idle(p: StepParams["idle"]): Promise<Finding> {
  await sleep(p.ms);
  return PASS;
}

export async function kill(p: StepParams["kill"], ctx: StepContext): Promise<Finding> {
  const proc = processOf(ctx, "kill");
  if (!proc.running)
    return fail(
      `the plugin had already ended (${describeExit(proc.exitStatus!)}) before ${p.signal}`,
    );
  proc.signal(p.signal);
  return PASS;
}

export async function expectExit(p: StepParams["expectExit"], ctx: StepContext): Promise<Finding> {
  const within = p.within ?? 5000;
  const status = await processOf(ctx, "expectExit").waitExit(within);
  let finding: Finding = PASS;
  if (!status) finding = fail(`still running ${within} ms later (§3.4)`);
  else if (p.code !== undefined && status.code !== p.code) {
    finding = fail(`${describeExit(status)}, expected exit status ${p.code}`);
  }
  return judge(finding, { none: !status, text: status ? describeExit(status) : undefined }, p);
}

export async function expectRunning(
  p: StepParams["expectRunning"],
  ctx: StepContext,
): Promise<Finding> {
  const ms = p.for ?? 500;
  const status = await processOf(ctx, "expectRunning").waitExit(ms);
  const finding = status
    ? fail(`the plugin ended (${describeExit(status)}); it must survive this (§4.2.2, §4.6.3)`)
    : PASS;
  return judge(finding, { text: status ? describeExit(status) : undefined }, p);
}

export async function restart(_p: StepParams["restart"], ctx: StepContext): Promise<Finding> {
  const failures = await ctx.session.restart();
  return failures.length === 0 ? PASS : fail(`${failures.join("; ")} (§8.2)`);
}

export async function closeControl(
  _p: StepParams["closeControl"],
  ctx: StepContext,
): Promise<Finding> {
  await ctx.session.control.close();
  ctx.session.transcript.event("control", "host closed its control listener (the host went away)");
  return PASS;
}

/** Socket files of this case that nobody but the plugin can have left. */
export async function leftoverSocketFiles(ctx: StepContext): Promise<string[]> {
  const own = ctx.session.hostPaths();
  const names = await readdir(DEFAULT_SOCKET_DIR).catch(() => [] as string[]);
  const functions = new Set(ctx.subject.manifest.functions.map((f) => functionSocketPath(f)));
  return names
    .map((n) => ({ n, path: `${DEFAULT_SOCKET_DIR}/${n}` }))
    .filter(
      ({ n, path }) =>
        n.startsWith(`${ctx.rule}_`) || (functions.has(path) && ctx.session.functions.size > 0),
    )
    .map(({ path }) => path)
    .filter((path) => !own.has(path));
}

export async function expectNoSocketFiles(
  p: StepParams["expectNoSocketFiles"],
  ctx: StepContext,
): Promise<Finding> {
  const left = await leftoverSocketFiles(ctx);
  const finding =
    left.length === 0
      ? PASS
      : fail(
          `left behind: ${left.join(", ")} (§2.6: a listener that closes unlinks its socket file; §3.4)`,
        );
  return judge(finding, { none: left.length === 0, text: left.join(" ") }, p);
}
