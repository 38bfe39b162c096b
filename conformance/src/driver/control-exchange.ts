// The control exchange of a case's host: the Control a host writes for a
// start or a stop (§4.3), its Command bytes (also the Python SDK's spelling
// the codec never writes, §9.3 Q1), one exchange on a request/reply channel
// turned into an Outcome, and how a missing answer reads in a finding.

import { Command, type Control, type Meta, pluginTypeOf } from "@portable-plugins/protocol";
import { ExchangeError, type RepChannel, type StopSignal } from "./rep-channel.js";
import type { Outcome, StartSpec } from "./session-types.js";

const ZERO_META: Meta = { ruleId: "", opId: "", instanceId: 0 };

/** The start's Control; `ruleId` is the case's, used when the spec names none. */
export function buildControl(spec: StartSpec, ruleId: string): Control {
  const meta: Meta =
    spec.kind === "function"
      ? ZERO_META
      : {
          ruleId: spec.meta?.ruleId ?? ruleId,
          opId: spec.meta?.opId ?? spec.as,
          instanceId: spec.meta?.instanceId ?? 0,
        };
  const control: Control = {
    symbolName: spec.symbol,
    ...(spec.withoutMeta ? {} : { meta }),
    pluginType: pluginTypeOf(spec.kind),
  };
  let config = spec.config;
  if (spec.dataSource !== undefined && spec.dataSourceKey === "config") {
    config = { ...config, datasource: spec.dataSource };
  } else if (spec.dataSource !== undefined && spec.dataSourceKey !== "datasource") {
    control.dataSource = spec.dataSource;
  }
  if (config && Object.keys(config).length > 0) control.config = config;
  return control;
}

export function encodeCommand(cmd: "start" | "stop", control: Control, spec?: StartSpec): Buffer {
  if (spec?.dataSourceKey === "datasource" && spec.dataSource !== undefined) {
    // The Python SDK's spelling (§9.3 Q1): not producible by the codec on purpose.
    const arg = JSON.stringify({
      symbolName: control.symbolName,
      meta: control.meta,
      pluginType: control.pluginType,
      datasource: spec.dataSource,
      ...(control.config ? { config: control.config } : {}),
    });
    return Buffer.from(JSON.stringify({ cmd, arg }));
  }
  return Command.encode({ cmd, arg: control });
}

/**
 * Sends `bytes` as the reply to the plugin's current request and waits for
 * its answer; a failure (`timeoutText` when none came in time) is an outcome too.
 */
export async function exchangeOutcome(
  channel: RepChannel,
  bytes: Buffer,
  ms: number,
  stop: StopSignal,
  timeoutText: string,
): Promise<Outcome> {
  try {
    const r = await channel.exchange(bytes, ms, stop);
    return { answer: r.answer.toString("utf8"), raw: r.answer, keepalives: r.keepalives };
  } catch (err) {
    return { failure: describeFailure(err, timeoutText), keepalives: 0 };
  }
}

/** Why a wait ended without a message, as a finding says it. */
export function describeFailure(err: unknown, timeoutText: string): string {
  if (err instanceof ExchangeError) {
    if (err.failure === "no-answer" || err.failure === "no-request") return timeoutText;
    if (err.failure === "exited") return `${err.message} while the host waited`;
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
