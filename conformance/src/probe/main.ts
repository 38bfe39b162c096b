#!/usr/bin/env node
// The host probe: a real plugin executable that a host under test starts as
// any plugin (PROTOCOL.md §3), playing a version-1 or a version-2 plugin as
// its `probe-mode.json` says. It serves function `probe_echo` and source
// `probe_rows`, speaks every message through the protocol package's codecs,
// and records what the host did (probe/events.ts): the start argument, the
// version it announced, every command, and what each function-channel body
// was (a version-1 FuncCall, a version-2 CallBatchV2, neither). The suite
// judges the events afterwards (probe/judge.ts).

import { dirname } from "node:path";
import { NngError, PushSocket, ReqSocket } from "@portable-plugins/nng";
import {
  type CallV2,
  Command,
  type Control,
  chooseVersion,
  controlChannelUrl,
  decodeCallBatch,
  decodeFunctionCall,
  encodeAnswer,
  encodeReplyBatch,
  encodeSourceData,
  encodeSourceRows,
  errorV2,
  FuncReply,
  formatHandshake,
  functionChannelUrl,
  type JsonValue,
  type ReplyV2,
  readVersionOffer,
  sourceChannelUrl,
  v2KindOf,
} from "@portable-plugins/protocol";
import {
  PROBE_FAIL_ARG,
  PROBE_FUNCTION,
  PROBE_PLUGIN,
  PROBE_SOURCE,
  type ProbeEvent,
  readMode,
  recordEvent,
} from "./events.js";

const dir = dirname(process.argv[1] ?? ".");
const record = (e: ProbeEvent) => recordEvent(dir, e);
const KEEPALIVE_MS = 5000;
const closers: (() => Promise<void>)[] = [];

function chosenVersion(raw: string | undefined): number {
  const mode = readMode(dir);
  if (mode.announce !== undefined) return mode.announce;
  // A version-1 probe plays a reference SDK: it never reads the offer (§10.2).
  if (!mode.versions.includes(2)) return 1;
  let config: unknown;
  try {
    config = JSON.parse(raw ?? "");
  } catch {
    config = undefined;
  }
  const choice = chooseVersion(readVersionOffer(config), mode.versions);
  if (choice.ok) return choice.version;
  process.stderr.write(`${choice.message}\n`);
  process.exit(2);
}

/** Serves an inverted REQ channel (§5.2): handshake, then each host message's answer. */
async function serve(req: ReqSocket, shake: Buffer, handle: (m: Buffer) => Buffer): Promise<void> {
  req.setOption("recvTimeout", KEEPALIVE_MS);
  let outgoing: Buffer | undefined = shake;
  for (;;) {
    try {
      if (outgoing) await req.send(outgoing);
      outgoing = handle(await req.recv());
    } catch (err) {
      if (NngError.is(err, "PORTABLE_E_TIMEOUT") || NngError.is(err, "PORTABLE_E_CANCELLED")) {
        outgoing = shake;
        continue;
      }
      return;
    }
  }
}

function echoResult(call: { args: readonly JsonValue[] }): JsonValue {
  return call.args[0] ?? null;
}

function answerV2(calls: readonly CallV2[]): Buffer {
  const replies = calls.map((c): ReplyV2 => {
    if (c.kind === "EXEC" && c.args[0] === PROBE_FAIL_ARG)
      return {
        id: c.id,
        result: null,
        error: errorV2("PORTABLE_E_FUNCTION", "BACKOFF", "the probe fails as asked"),
      };
    if (c.kind === "EXEC") return { id: c.id, result: echoResult(c) };
    return { id: c.id, result: c.kind === "IS_AGGREGATE" ? false : null };
  });
  return encodeReplyBatch({ replies });
}

function onFunctionMessage(version: number, m: Buffer): Buffer {
  const head = m.subarray(0, 16).toString("hex");
  if (v2KindOf(m) !== undefined) {
    try {
      const calls = decodeCallBatch(m);
      record({ type: "function", form: "v2", calls: calls.length, head });
      if (version >= 2) return answerV2(calls);
      return FuncReply.encode({ state: false, result: "a version-2 body on a version-1 channel" });
    } catch (err) {
      record({ type: "function", form: "undecodable", calls: 0, error: String(err), head });
      return encodeReplyBatch({
        replies: [],
        error: errorV2("PORTABLE_E_DECODE", "FATAL", String(err)),
      });
    }
  }
  try {
    const call = decodeFunctionCall(m);
    record({ type: "function", form: "v1", calls: 1, head });
    if (version >= 2)
      return encodeReplyBatch({
        replies: [],
        error: errorV2("PORTABLE_E_DECODE", "FATAL", "a version-1 call on a version-2 channel"),
      });
    const args = call.func === "IsAggregate" ? [] : call.args;
    if (call.func === "Exec" && args[0] === PROBE_FAIL_ARG)
      return FuncReply.encode({ state: false, result: "the probe fails as asked" });
    if (call.func === "IsAggregate") return FuncReply.encode({ state: true, result: false });
    if (call.func === "Validate") return FuncReply.encode({ state: true, result: "" });
    return FuncReply.encode({ state: true, result: args[0] ?? null });
  } catch (err) {
    record({ type: "function", form: "undecodable", calls: 0, error: String(err), head });
    return FuncReply.encode({ state: false, result: `invalid call: ${String(err)}` });
  }
}

async function startFunction(version: number): Promise<void> {
  const req = new ReqSocket({ resendTime: 0, reconnectTime: 100, reconnectMaxTime: 1000 });
  await req.dial(functionChannelUrl(PROBE_FUNCTION));
  closers.push(() => req.close());
  void serve(req, formatHandshake(version), (m) => onFunctionMessage(version, m));
}

async function startSource(version: number, control: Control): Promise<void> {
  const meta = control.meta;
  if (!meta) throw new Error("the start has no meta");
  const count = Number(control.config?.["count"] ?? 100);
  const batch = Number(control.config?.["batch"] ?? 25);
  const push = new PushSocket({ sendTimeout: 5000, reconnectTime: 100, reconnectMaxTime: 1000 });
  await push.dial(sourceChannelUrl(meta));
  closers.push(() => push.close());
  const rowMeta = { probe: `v${version}` };
  void (async () => {
    let messages = 0;
    for (let n = 1; n <= count; ) {
      if (version >= 2) {
        const rows = [];
        for (let i = 0; i < batch && n <= count; i++, n++)
          rows.push({ message: { n }, meta: rowMeta });
        await push.send(encodeSourceRows(rows));
      } else {
        await push.send(encodeSourceData({ n }, rowMeta));
        n++;
      }
      messages++;
    }
    record({ type: "source", version, rows: count, messages });
  })().catch((err: unknown) => record({ type: "problem", text: `source: ${String(err)}` }));
}

async function onCommand(version: number, m: Buffer): Promise<Buffer> {
  let command: Command;
  try {
    command = Command.decode(m);
  } catch (err) {
    record({ type: "command", error: String(err) });
    return encodeAnswer({ ok: false, error: `invalid command: ${String(err)}` });
  }
  const { cmd, arg } = command;
  record({ type: "command", cmd, kind: arg.pluginType, symbol: arg.symbolName });
  if (cmd === "stop") return encodeAnswer({ ok: true });
  try {
    if (arg.pluginType === "func" && arg.symbolName === PROBE_FUNCTION)
      await startFunction(version);
    else if (arg.pluginType === "source" && arg.symbolName === PROBE_SOURCE)
      await startSource(version, arg);
    else throw new Error(`symbol not found: ${arg.pluginType} ${arg.symbolName}`);
    return encodeAnswer({ ok: true });
  } catch (err) {
    return encodeAnswer({ ok: false, error: String(err) });
  }
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  record({ type: "argument", raw: raw ?? null });
  const version = chosenVersion(raw);
  const shake = formatHandshake(version);
  record({ type: "handshake", version, text: shake.toString("utf8") });
  const control = new ReqSocket({ resendTime: 0, reconnectTime: 100, reconnectMaxTime: 1000 });
  await control.dial(controlChannelUrl(PROBE_PLUGIN), { blocking: false });
  closers.push(() => control.close());
  control.setOption("recvTimeout", KEEPALIVE_MS);
  let outgoing: Buffer | undefined = shake;
  for (;;) {
    try {
      if (outgoing) await control.send(outgoing);
      const m = await control.recv();
      // The answer is the next request (§5.2): one command at a time.
      outgoing = await onCommand(version, m);
    } catch (err) {
      if (NngError.is(err, "PORTABLE_E_TIMEOUT") || NngError.is(err, "PORTABLE_E_CANCELLED")) {
        outgoing = shake;
        continue;
      }
      return;
    }
  }
}

process.on("SIGTERM", () => {
  void Promise.allSettled(closers.map((c) => c())).then(() => process.exit(0));
});
main().catch((err: unknown) => {
  record({ type: "problem", text: String(err) });
  process.exit(1);
});
