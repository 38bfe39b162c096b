// The floor's second process: the plugin's role over a bare Unix socket
// (raw.ts frames), driven over the fork IPC channel, never over the socket
// being timed.
//   {op:"serve", path, mode:"echo"|"ack"|"count"}  -> {op:"ready"}
//       echo: reply each frame with itself (Exec); ack: with `{}` (sink acks);
//       count: count frames, {op:"done"} after `expect` many (sink rows)
//   {op:"expect", count}                            -> {op:"expecting"}, later {op:"done"}
//   {op:"stream", count, body (base64)}             -> {op:"streamed"} (source rows)
//   {op:"stop"}                                     -> {op:"stopped"}
import type { Server, Socket } from "node:net";
import { header, listenRaw, readFrames, streamFrames } from "./raw.js";

type Command =
  | { op: "serve"; path: string; mode: "echo" | "ack" | "count" }
  | { op: "expect"; count: number }
  | { op: "stream"; count: number; body: string }
  | { op: "stop" };

if (!process.send) {
  console.error("bench/src/floor/child.ts is started by the bench (over a fork IPC channel)");
  process.exit(2);
}
const reply = (m: object) => process.send!(m);
const ACK = Buffer.from("{}");

let server: Server | undefined;
let conn: Socket | undefined;
/** Resolves the `stream` that arrived before the bench's connection was accepted here. */
let onConn: ((s: Socket) => void) | undefined;
let want = 0;
let got = 0;

function answer(s: Socket, body: Buffer): void {
  s.cork();
  s.write(header(body.length));
  s.write(body);
  s.uncork();
}

process.on("message", async (cmd: Command) => {
  try {
    if (cmd.op === "serve") {
      server = await listenRaw(cmd.path, (s) => {
        conn = s;
        onConn?.(s);
        onConn = undefined;
        readFrames(s, (body) => {
          if (cmd.mode === "echo") answer(s, body);
          else if (cmd.mode === "ack") answer(s, ACK);
          else if (++got === want) reply({ op: "done" });
        });
      });
      reply({ op: "ready" });
    } else if (cmd.op === "expect") {
      want = cmd.count;
      got = 0;
      reply({ op: "expecting" });
    } else if (cmd.op === "stream") {
      // The bench's dial can complete before this side's accept callback ran.
      const s = conn ?? (await new Promise<Socket>((r) => (onConn = r)));
      await streamFrames(s, Buffer.from(cmd.body, "base64"), cmd.count);
      reply({ op: "streamed" });
    } else if (cmd.op === "stop") {
      conn?.destroy();
      conn = undefined;
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = undefined;
      reply({ op: "stopped" });
    }
  } catch (e) {
    reply({ op: "error", message: (e as Error).stack ?? String(e) });
  }
});

// The parent going away (crash, Ctrl-C) takes us with it.
process.on("disconnect", () => process.exit(0));
