// The bench's second process: serves REP echo or PULL for one implementation
// and reports over the fork IPC channel (never over the socket being timed).
//   parent -> {op:"serve", impl, kind:"echo"|"pull", url}   child -> {op:"ready"}
//   parent -> {op:"expect", count}                           child -> {op:"expecting"}
//                                       ...when count messages arrived -> {op:"done", bytes}
//   parent -> {op:"stop"}                                    child -> {op:"stopped"}
import { type Closer, IMPLS, type ImplName } from "./impls.js";

type Command =
  | { op: "serve"; impl: ImplName; kind: "echo" | "pull"; url: string }
  | { op: "expect"; count: number }
  | { op: "stop" };

if (!process.send) {
  console.error("src/nng/child.ts is started by src/nng/run.ts (over a fork IPC channel)");
  process.exit(2);
}
const reply = (m: object) => process.send!(m);

let server: Closer | undefined;
let want = 0;
let got = 0;
let bytes = 0;

function onMessage(len: number): void {
  got++;
  bytes += len;
  if (got === want) reply({ op: "done", bytes });
}

process.on("message", async (cmd: Command) => {
  try {
    if (cmd.op === "serve") {
      const impl = IMPLS[cmd.impl];
      server =
        cmd.kind === "echo"
          ? await impl.serveEcho(cmd.url)
          : await impl.servePull(cmd.url, onMessage);
      reply({ op: "ready" });
    } else if (cmd.op === "expect") {
      want = cmd.count;
      got = 0;
      bytes = 0;
      reply({ op: "expecting" });
    } else if (cmd.op === "stop") {
      await server?.close();
      server = undefined;
      reply({ op: "stopped" });
    }
  } catch (e) {
    reply({ op: "error", message: (e as Error).stack ?? String(e) });
  }
});

// The parent going away (crash, Ctrl-C) takes us with it.
process.on("disconnect", () => process.exit(0));
