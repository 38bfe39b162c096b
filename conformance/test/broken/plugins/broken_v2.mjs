// A deliberately broken version-2 plugin, one flaw per manifest: each
// `brk_v2<flaw>.json` runs `brk_v2<flaw>.mjs`, which calls
// `main("<name>", "<flaw>")`. Without a flaw it speaks version 2 by
// PROTOCOL.md §10.3 and §12 (source `tick`, function `<name>_fn`, an echo),
// through the protocol package's codecs. The conformance tests run it with
// exactly one flaw and assert that the v2 case that flaw breaks FAILS.
//   dropreply  a reply batch misses the last call's reply
//   v1reply    a call batch is answered with a version-1 FuncReply
//   dupok      a batch with a repeated id is served instead of refused
//   v1rows     the source sends version-1 envelopes after agreeing on version 2
// The suite runs a copy of this folder, far from node_modules: the tests say
// where the packages are (BROKEN_PACKAGES_FROM, a package.json that depends on them).
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const from = createRequire(process.env.BROKEN_PACKAGES_FROM ?? import.meta.url);
const load = (pkg) => import(pathToFileURL(from.resolve(pkg)).href);
const { NngError, PushSocket, ReqSocket } = await load("@portable-plugins/nng");
const {
  CallBatchV2,
  chooseVersion,
  Command,
  controlChannelUrl,
  decodeCallBatch,
  encodeAnswer,
  encodeReplyBatch,
  encodeSourceData,
  encodeSourceRows,
  errorV2,
  FuncReply,
  formatHandshake,
  functionChannelUrl,
  readVersionOffer,
  sourceChannelUrl,
} = await load("@portable-plugins/protocol");

async function serve(req, shake, handle) {
  req.setOption("recvTimeout", 5000);
  let out = shake;
  for (;;) {
    try {
      if (out) await req.send(out);
      out = await handle(await req.recv());
    } catch (err) {
      if (NngError.is(err, "PORTABLE_E_TIMEOUT")) {
        out = shake;
        continue;
      }
      return;
    }
  }
}

function answerBatch(flaw, m) {
  if (flaw === "v1reply") return FuncReply.encode({ state: true, result: "x" });
  let calls;
  try {
    calls = flaw === "dupok" ? CallBatchV2.decode(m).calls : decodeCallBatch(m);
  } catch (err) {
    return encodeReplyBatch({
      replies: [],
      error: errorV2("PORTABLE_E_DECODE", "FATAL", String(err)),
    });
  }
  const unique = [...new Map(calls.map((c) => [c.id, c])).values()];
  const replies = unique.map((c) => ({
    id: c.id,
    result: c.kind === "EXEC" ? (c.args[0] ?? null) : c.kind === "IS_AGGREGATE" ? false : null,
  }));
  if (flaw === "dropreply" && replies.length > 1) replies.pop();
  return encodeReplyBatch({ replies });
}

export async function main(name, flaw) {
  const choice = chooseVersion(readVersionOffer(JSON.parse(process.argv[2] ?? "{}")), [1, 2]);
  const version = choice.ok ? choice.version : 1;
  const shake = formatHandshake(version);
  const closers = [];
  process.on(
    "SIGTERM",
    () => void Promise.allSettled(closers.map((c) => c())).then(() => process.exit(0)),
  );
  const control = new ReqSocket({ resendTime: 0, reconnectTime: 100, reconnectMaxTime: 1000 });
  await control.dial(controlChannelUrl(name), { blocking: false });
  const started = new Set();
  const onCommand = async (m) => {
    const { cmd, arg } = Command.decode(m);
    if (cmd === "stop") return encodeAnswer({ ok: true });
    if (arg.pluginType === "func" && arg.symbolName === `${name}_fn`) {
      if (!started.has(arg.symbolName)) {
        started.add(arg.symbolName);
        const req = new ReqSocket({ resendTime: 0, reconnectTime: 100, reconnectMaxTime: 1000 });
        await req.dial(functionChannelUrl(arg.symbolName));
        closers.push(() => req.close());
        void serve(req, shake, (b) => answerBatch(flaw, b));
      }
      return encodeAnswer({ ok: true });
    }
    if (arg.pluginType === "source" && arg.symbolName === "tick") {
      const push = new PushSocket({
        sendTimeout: 1000,
        reconnectTime: 100,
        reconnectMaxTime: 1000,
      });
      await push.dial(sourceChannelUrl(arg.meta));
      closers.push(() => push.close());
      let n = 0;
      const timer = setInterval(() => {
        n++;
        const body =
          version >= 2 && flaw !== "v1rows"
            ? encodeSourceRows([{ message: { n } }])
            : encodeSourceData({ n }, null);
        push.send(body).catch(() => undefined);
      }, 50);
      closers.push(async () => clearInterval(timer));
      return encodeAnswer({ ok: true });
    }
    return encodeAnswer({
      ok: false,
      error: `error: symbol not found: ${arg.pluginType} ${arg.symbolName}`,
    });
  };
  await serve(control, shake, onCommand);
}
