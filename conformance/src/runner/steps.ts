// The step vocabulary: one function per step name (documented in
// schema/scenario.schema.json). The runner is generic; the suite grows by
// adding YAML.

import { ConformanceError } from "../errors.js";
import type { Step, StepName, StepParams } from "../scenario/types.js";
import { stepName, stepParams } from "../scenario/types.js";
import { checkTypes } from "../typed/check-types.js";
import type { StepContext } from "./context.js";
import { fill } from "./context.js";
import type { Finding } from "./findings.js";
import * as control from "./steps-control.js";
import * as data from "./steps-data.js";
import * as fn from "./steps-function.js";
import * as proc from "./steps-process.js";
import * as v2 from "./steps-v2.js";

type Runner<K extends StepName> = (p: StepParams[K], ctx: StepContext) => Promise<Finding>;

const STEPS: { [K in StepName]: Runner<K> } = {
  expectHandshake: control.expectHandshake,
  start: control.start,
  stop: control.stop,
  sendRaw: async (p, ctx) => {
    const bytes = rawBytes(p);
    if (p.channel === "control") await ctx.session.command(bytes);
    else if (p.channel === "function") {
      const symbol = p.as ?? ctx.symbol ?? "";
      await ctx.session.call(symbol, bytes);
    } else if (p.hex !== undefined) {
      throw new ConformanceError(
        "PORTABLE_E_CONF_SCENARIO",
        "sendRaw: hex is for control and function channels",
      );
    } else
      return data.sendSink({ ...(p.as ? { as: p.as } : {}), text: bytes.toString("utf8") }, ctx);
    return { status: "pass" };
  },
  expectAnswer: control.expectAnswer,
  expectSource: data.expectSource,
  expectNoSource: data.expectNoSource,
  sendSink: data.sendSink,
  expectAck: data.expectAck,
  expectFile: data.expectFile,
  expectDelivered: data.expectDelivered,
  expectServes: control.expectServes,
  call: fn.call,
  expectReply: fn.expectReply,
  idle: proc.idle,
  expectKeepalive: fn.expectKeepalive,
  kill: proc.kill,
  expectExit: proc.expectExit,
  expectRunning: proc.expectRunning,
  restart: proc.restart,
  closeControl: proc.closeControl,
  expectNoSocketFiles: proc.expectNoSocketFiles,
  expectPeers: fn.expectPeers,
  callBatch: v2.callBatch,
  expectReplyBatch: v2.expectReplyBatch,
  expectSourceRows: v2.expectSourceRows,
  pauseSource: v2.pauseSource,
  checkTypes,
};

/** A sendRaw body: `text` verbatim, or `hex` bytes. */
function rawBytes(p: StepParams["sendRaw"]): Buffer {
  if (p.hex !== undefined) return Buffer.from(p.hex.replace(/ /g, ""), "hex");
  if (p.text !== undefined) return Buffer.from(p.text);
  throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "sendRaw: give text or hex");
}

export function runStep(step: Step, ctx: StepContext): Promise<Finding> {
  const name = stepName(step);
  const params = fill(ctx, stepParams(step, name) ?? {});
  return (STEPS[name] as Runner<typeof name>)(params as never, ctx);
}
