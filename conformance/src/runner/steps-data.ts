// Steps on the data channels: source items, sink rows and acks, and the
// files a sink writes (PROTOCOL.md §4.4, §4.5, §5.3.1, §5.3.2).

import { readFile } from "node:fs/promises";
import { encodeSinkData } from "@portable-plugins/protocol";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { Instance } from "../driver/session.js";
import { SourceChannel } from "../driver/source-channel.js";
import { ConformanceError } from "../errors.js";
import type { StepParams } from "../scenario/types.js";
import { fill, profileSymbol, type StepContext } from "./context.js";
import { type Finding, fail, judge, mismatch, PASS, warn } from "./findings.js";
import { jsonContains, jsonEqual, short } from "./json-match.js";
import { expectAckV2, sendSinkV2 } from "./steps-sink-v2.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function instance(ctx: StepContext, as: string | undefined, step: string): Instance {
  const label = as ?? "main";
  const inst = ctx.session.instances.get(label);
  if (!inst) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_SCENARIO",
      `${step}: no running instance "${label}" (start it first)`,
    );
  }
  return inst;
}

export async function expectSource(
  p: StepParams["expectSource"],
  ctx: StepContext,
): Promise<Finding> {
  const channel = instance(ctx, p.as, "expectSource").source;
  if (!channel)
    throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "expectSource: not a source");
  const count = p.count ?? 1;
  const within = p.within ?? 5000;
  const items = await channel.waitFor(count, within);
  const taken = items.slice(0, count);
  channel.cursor += taken.length;
  const warnings = new Set<string>();
  const validate = p.schema ? new Ajv2020({ strict: false }).compile(p.schema) : undefined;
  for (const [i, it] of taken.entries()) {
    const n = `item ${i + 1}`;
    if (it.item.type === "malformed") {
      return fail(
        `${n} is not a source envelope: ${it.item.error} (§4.4.1); bytes ${short(it.raw.toString("utf8"))}`,
      );
    }
    for (const w of it.warnings) warnings.add(`${w.code}${w.field ? ` at ${w.field}` : ""}`);
    if (it.item.type === "error") {
      return fail(
        `${n} is a source error ${JSON.stringify(it.item.error)}, expected data (§4.4.2)`,
      );
    }
    // The envelope's keys are a version-1 fact; a v2 row is a message of its own (§12.4).
    if (!it.v2) {
      const raw = JSON.parse(it.raw.toString("utf8")) as Record<string, unknown>;
      if (!Object.hasOwn(raw, "message"))
        return fail(`${n} has no "message" key (§4.4.1): ${short(raw)}`);
      if (!Object.hasOwn(raw, "meta"))
        warnings.add(`${n} has no "meta" key (§4.4.1: always written)`);
    }
    const message = it.item.message;
    if (typeof message !== "object" || message === null || Array.isArray(message)) {
      return fail(`${n}: "message" is ${short(message)}, must be a JSON object (§4.4.1, Q25)`);
    }
    if (p.equals !== undefined && !jsonEqual(message, p.equals)) {
      return fail(`${n}: message ${short(message)}, expected ${short(p.equals)}`);
    }
    if (p.example && !jsonContains(message, p.example)) {
      return fail(`${n}: message ${short(message)} does not contain ${short(p.example)}`);
    }
    if (p.meta !== undefined && !jsonEqual(it.item.meta, p.meta)) {
      return fail(`${n}: meta ${short(it.item.meta)}, expected ${short(p.meta)}`);
    }
    if (validate && !validate(message)) {
      return fail(
        `${n}: message ${short(message)} does not match the schema: ${validate.errors?.[0]?.instancePath} ${validate.errors?.[0]?.message}`,
      );
    }
  }
  let finding: Finding = PASS;
  if (taken.length < count) {
    finding = fail(
      `${taken.length} of ${count} items within ${within} ms (§4.4)${misrouted(ctx, p.as, channel.connections)}`,
    );
  } else if (warnings.size > 0) {
    finding = warn(
      `tolerated by decoders, but not what the spec says: ${[...warnings].join(", ")} (§9.3.1)`,
    );
  }
  return judge(finding, { none: taken.length === 0 }, p);
}

export async function expectNoSource(
  p: StepParams["expectNoSource"],
  ctx: StepContext,
): Promise<Finding> {
  const label = p.as ?? "main";
  const inst = ctx.session.stopped.get(label);
  if (!inst?.source) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_SCENARIO",
      `expectNoSource: "${label}" is not a stopped source`,
    );
  }
  const watch = new SourceChannel(inst.source.url, `source:${label}`, ctx.session.transcript);
  ctx.session.transcript.event(watch.label, "host listens again to watch for items after the stop");
  await watch.listen();
  ctx.session.extraSources.push(watch);
  const ms = p.for ?? 1500;
  await sleep(ms);
  await watch.close();
  let finding: Finding = PASS;
  if (watch.items.length > 0) {
    finding = fail(
      `${watch.items.length} item(s) within ${ms} ms after the stop was answered: the source still emits (§4.3, §5.3.1)`,
    );
  } else if (watch.connections > 0) {
    finding = warn(
      `no items, but the plugin connected to the source channel again after the stop: its PUSH is still open (§5.3.1: close PUSH on stop)`,
    );
  }
  return judge(finding, { none: watch.items.length === 0 }, p);
}

export async function sendSink(p: StepParams["sendSink"], ctx: StepContext): Promise<Finding> {
  const sink = instance(ctx, p.as, "sendSink").sink;
  if (!sink) throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "sendSink: not a sink");
  if ((ctx.expectedVersion ?? 1) >= 2) return sendSinkV2(p, sink, ctx);
  const body = p.text !== undefined ? Buffer.from(p.text) : encodeSinkData(p.rows ?? [{}]);
  for (let i = 0; i < (p.times ?? 1); i++) {
    if (!(await sink.send(body))) {
      return fail(
        `the sink did not take row message ${i + 1} within ${ctx.session.opts.timeouts.sendMs} ms: is it listening on ${sink.dataUrl}? (§5.1 rule 1)`,
      );
    }
  }
  return PASS;
}

export async function expectAck(p: StepParams["expectAck"], ctx: StepContext): Promise<Finding> {
  const sink = instance(ctx, p.as, "expectAck").sink;
  if (!sink) throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "expectAck: not a sink");
  if ((ctx.expectedVersion ?? 1) >= 2) return expectAckV2(p, sink);
  const count = p.count ?? 1;
  const within = p.within ?? 3000;
  const acks = await sink.waitAcks(p.none ? 1 : count, within);
  const taken = p.none ? acks : acks.slice(0, count);
  sink.cursor += taken.length;
  const observation = {
    none: acks.length === 0,
    noAckConnection: sink.ackConnections === 0,
    ackConnected: sink.ackConnections > 0,
    language: ctx.subject.language,
    text: taken[0]?.raw.toString("utf8"),
  };
  let finding: Finding = PASS;
  if (p.none) {
    if (acks.length > 0) {
      finding = fail(
        `${acks.length} ack(s) although the config has no "requireAck": true: acks nobody reads fill the ack socket (§4.5.2, Q6)`,
      );
    }
  } else if (taken.length < count) {
    finding = fail(
      `${taken.length} of ${count} ack(s) within ${within} ms although the config has "requireAck": true (§4.5.2)` +
        (sink.ackConnections === 0 ? "; the plugin never connected to the ack channel" : ""),
    );
  } else {
    for (const [i, a] of taken.entries()) {
      const n = `ack ${i + 1}`;
      if ("malformed" in a.ack) {
        finding = fail(`${n} is not a sink ack: ${a.ack.malformed} (§4.5.2)`);
        break;
      }
      if (p.ok && !a.ack.ok) {
        finding = fail(`${n} reports an error ${JSON.stringify(a.ack.error)}, expected success`);
        break;
      }
      if (p.error) {
        if (a.ack.ok) {
          finding = fail(`${n} is a success, expected an error`);
          break;
        }
        const wrong = mismatch(p.error, a.ack.error);
        if (wrong) {
          finding = fail(`${n}: error ${wrong}`);
          break;
        }
      }
      if (a.warnings.length > 0 && finding.status === "pass") {
        finding = warn(
          `${n} ${a.raw.toString("utf8")}: ${a.warnings.map((w) => w.code).join(", ")} (§9.3.1; encoders write {})`,
        );
      }
    }
  }
  return judge(finding, observation, p);
}

export async function expectFile(p: StepParams["expectFile"], _ctx: StepContext): Promise<Finding> {
  const within = p.within ?? 5000;
  const deadline = Date.now() + within;
  let last = "";
  for (;;) {
    last = await readFile(p.path, "utf8").catch(() => "");
    const problem = fileProblem(p, last);
    if (!problem) return PASS;
    if (Date.now() >= deadline)
      return judge(fail(`${p.path} after ${within} ms: ${problem}`), { text: last }, p);
    await sleep(100);
  }
}

function fileProblem(p: StepParams["expectFile"], text: string): string | undefined {
  if (p.contains !== undefined && !text.includes(p.contains)) {
    return `does not contain ${JSON.stringify(p.contains)}`;
  }
  if (p.lines) {
    const lines = text.split("\n").filter((l) => l !== "");
    if (lines.length !== p.lines.length) {
      return `${lines.length} line(s), expected ${p.lines.length}: ${short(lines)}`;
    }
    for (const [i, line] of lines.entries()) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return `line ${i + 1} is not JSON: ${short(line)}`;
      }
      if (!jsonEqual(value, p.lines[i]))
        return `line ${i + 1} is ${short(value)}, expected ${short(p.lines[i])}`;
    }
  }
  return undefined;
}

/** The rows a file holds: one per JSON line, the elements of a line that is an array. */
function rowsOf(text: string): unknown[] {
  const rows: unknown[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const v: unknown = JSON.parse(line);
      if (Array.isArray(v)) rows.push(...v);
      else rows.push(v);
    } catch {
      rows.push(line);
    }
  }
  return rows;
}

/**
 * The rows reached the sink's output. With the profile's `output` file for the
 * sink, each row must appear in it (a line per row, or a line per message
 * holding an array: implementations differ). Without one, acks are the only
 * proof: every message acked passes, else a warning says delivery is unproven.
 */
export async function expectDelivered(
  p: StepParams["expectDelivered"],
  ctx: StepContext,
): Promise<Finding> {
  const inst = instance(ctx, p.as, "expectDelivered");
  const sink = inst.sink;
  if (!sink) throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", "expectDelivered: not a sink");
  const within = p.within ?? 5000;
  const output = profileSymbol(ctx, "sink", inst.symbol)?.output;
  if (output === undefined && (ctx.expectedVersion ?? 1) >= 2) {
    // Version 2: acks are cumulative (§12.5); the last one says how far delivery is proven.
    const acks = sink.ackedSeq >= sink.seq ? [] : await sink.waitCovered(sink.seq, within);
    const upTo = Math.max(
      sink.ackedSeq,
      ...acks.flatMap((a) => (a.v2 && !a.v2.error ? [a.v2.seq] : [])),
    );
    const finding =
      upTo >= sink.seq
        ? PASS
        : warn(
            `delivery not proven: messages up to ${upTo} of ${sink.seq} acked and the profile names no \`output\` file for sink ${inst.symbol}`,
          );
    return judge(finding, { none: acks.length === 0 }, p);
  }
  if (output === undefined) {
    const acks = await sink.waitAcks(sink.sent - sink.cursor, within);
    const acked = sink.cursor + acks.length;
    const finding =
      acked >= sink.sent
        ? PASS
        : warn(
            `delivery not proven: ${acked} of ${sink.sent} message(s) acked and the profile names no \`output\` file for sink ${inst.symbol}`,
          );
    return judge(finding, { none: acks.length === 0 }, p);
  }
  const path = fill(ctx, output);
  const deadline = Date.now() + within;
  for (;;) {
    const text = await readFile(path, "utf8").catch(() => "");
    const rows = rowsOf(text);
    const missing = p.rows.filter((r) => !rows.some((x) => jsonEqual(x, r)));
    if (missing.length === 0) return PASS;
    if (Date.now() >= deadline) {
      return judge(
        fail(
          `${path} after ${within} ms: ${short(missing)} not written (it holds ${short(rows)}); the sink did not take these rows (§5.3.2, §8.2)`,
        ),
        { text },
        p,
      );
    }
    await sleep(100);
  }
}

/**
 * Why a source instance's channel stayed silent, when the plugin dialled a
 * sibling instance's channel instead (same rule and operator, another
 * instanceId): the plugin ignores `instanceId` in the channel name.
 */
function misrouted(ctx: StepContext, as: string | undefined, connections: number): string {
  if (connections > 0) return "";
  const mine = ctx.session.instances.get(as ?? "main");
  const m = mine?.control.meta;
  if (!mine || !m) return "";
  for (const other of ctx.session.instances.values()) {
    const o = other.control.meta;
    if (other === mine || !other.source || !o) continue;
    if (o.ruleId !== m.ruleId || o.opId !== m.opId || o.instanceId === m.instanceId) continue;
    if (other.source.connections > 1) {
      return `; the plugin never connected to ${mine.source?.url} but connected ${other.source.connections} times to ${other.source.url}: rows of instance ${m.instanceId} arrived on instance ${o.instanceId}'s channel, the plugin ignores instanceId (§4.3, §5.1)`;
    }
  }
  return "";
}
