// The sink steps in a version-2 run (PROTOCOL.md §12.5): `sendSink` sends
// SinkRowsV2 bodies numbered 1, 2, ... from the start, and `expectAck` checks
// SinkAckV2 acks: version 2 only, seqs increasing and never past what was
// sent, covering the expected messages cumulatively, a failure in an ack of
// its own with a typed error.

import {
  encodeSinkRows,
  isJsonObject,
  type JsonObject,
  type JsonValue,
} from "@portable-plugins/protocol";
import type { SinkChannel } from "../driver/sink-channel.js";
import type { StepParams } from "../scenario/types.js";
import type { StepContext } from "./context.js";
import { type Finding, fail, judge, mismatch, PASS } from "./findings.js";

/** The SinkRowsV2 body for the step's rows or text, with the next seq. */
export function sinkRowsV2Body(p: StepParams["sendSink"], seq: number): Buffer {
  if (p.text !== undefined) return encodeSinkRows({ seq, rows: [], raw: Buffer.from(p.text) });
  const value: JsonValue = p.rows ?? [{}];
  const list: JsonValue[] = Array.isArray(value) ? value : [value];
  const rows = list.filter((r): r is JsonObject => isJsonObject(r));
  return encodeSinkRows({ seq, rows });
}

export async function sendSinkV2(
  p: StepParams["sendSink"],
  sink: SinkChannel,
  ctx: StepContext,
): Promise<Finding> {
  for (let i = 0; i < (p.times ?? 1); i++) {
    const body = sinkRowsV2Body(p, sink.seq + 1);
    if (!(await sink.send(body))) {
      return fail(
        `the sink did not take SinkRowsV2 message ${sink.seq + 1} within ${ctx.session.opts.timeouts.sendMs} ms: is it listening on ${sink.dataUrl}? (§5.1 rule 1, §12.5)`,
      );
    }
    sink.seq++;
  }
  return PASS;
}

export async function expectAckV2(p: StepParams["expectAck"], sink: SinkChannel): Promise<Finding> {
  const within = p.within ?? 3000;
  const target = sink.ackedSeq + (p.count ?? 1);
  const acks = p.none ? await sink.waitAcks(1, within) : await sink.waitCovered(target, within);
  sink.cursor += acks.length;
  const observation = { none: acks.length === 0, text: acks[0]?.raw.toString("hex") };
  if (p.none) {
    const f =
      acks.length > 0
        ? fail(
            `${acks.length} ack(s) although the config has no "requireAck": true (§4.5.2, §12.5)`,
          )
        : PASS;
    return judge(f, observation, p);
  }
  let last = sink.ackedSeq;
  let finding: Finding = PASS;
  for (const [i, a] of acks.entries()) {
    const n = `ack ${i + 1} (${a.raw.toString("hex").slice(0, 80)})`;
    if ("malformed" in a.ack) {
      finding = fail(`${n} is not a sink ack: ${a.ack.malformed} (§12.5)`);
      break;
    }
    if (!a.v2) {
      finding = fail(`${n} is a version-1 ack in a version-2 session (§12.1, §12.5)`);
      break;
    }
    if (a.v2.seq <= last || a.v2.seq > sink.seq) {
      finding = fail(
        `${n} acks seq ${a.v2.seq}: acked up to ${last}, sent up to ${sink.seq}; acks go forward and cover only messages sent (§12.5)`,
      );
      break;
    }
    if (a.v2.error) {
      if (p.ok) {
        finding = fail(
          `${n} reports a failure of message ${a.v2.seq}: ${a.v2.error.code} ${a.v2.error.class} ${JSON.stringify(a.v2.error.message)}, expected success`,
        );
        break;
      }
      if (a.v2.seq !== last + 1) {
        finding = fail(
          `${n}: the failure of message ${a.v2.seq} comes without an ack of its own for the messages before it (${last + 1}..${a.v2.seq - 1}) (§12.5)`,
        );
        break;
      }
      const wrong = p.error ? mismatch(p.error, a.v2.error.message) : undefined;
      if (wrong) {
        finding = fail(`${n}: error ${wrong}`);
        break;
      }
    } else if (p.error) {
      finding = fail(`${n} is a success, expected an error`);
      break;
    }
    last = a.v2.seq;
  }
  if (finding.status === "pass" && last < target) {
    finding = fail(
      `the acks within ${within} ms cover messages up to ${last}, expected up to ${target} (requireAck is true, §12.5)`,
    );
  }
  sink.ackedSeq = Math.max(sink.ackedSeq, last);
  return judge(finding, observation, p);
}
