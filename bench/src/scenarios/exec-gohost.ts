// Function Exec (sequential) under a Go host: the same Go bench plugin and
// the same calls as the "go" row (our host), driven by bench/peers/go-host, a
// minimal host on mangos built by scripts/build-go.sh. The Go host times each
// call itself and prints the latencies as one JSON line per sample; this
// runner only asks for samples, so the two hosts are measured alike.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Runner } from "../interleave.js";
import { buildGo } from "../plugins.js";
import { unique } from "../subject.js";
import { CTX, ROW } from "./exec.js";

/** The row label of the Go host (impl column). */
export const GO_HOST = "go, Go host (mangos)";

/** The Go host failed: it did not start, a call failed, or it exited. */
export class GoHostError extends Error {
  override readonly name = "GoHostError";
}

interface Line {
  ready?: boolean;
  startMs?: number;
  lat?: number[];
  error?: string;
}

/** The JSON lines of a child's stdout, one at a time; rejects once it has exited. */
function lines(child: ChildProcess, what: string): () => Promise<Line> {
  const queue: Line[] = [];
  let waiter: { resolve: (l: Line) => void; reject: (e: Error) => void } | undefined;
  let ended: Error | undefined;
  createInterface({ input: child.stdout! }).on("line", (text) => {
    const l = JSON.parse(text) as Line;
    const w = waiter;
    waiter = undefined;
    if (w) w.resolve(l);
    else queue.push(l);
  });
  child.once("exit", (code, signal) => {
    ended = new GoHostError(`${what} exited (${signal ?? `status ${code}`})`);
    waiter?.reject(ended);
    waiter = undefined;
  });
  child.once("error", (e) => {
    ended = new GoHostError(`${what}: ${e.message}`);
    waiter?.reject(ended);
  });
  return () => {
    const l = queue.shift();
    if (l) return Promise.resolve(l);
    if (ended) return Promise.reject(ended);
    return new Promise((resolve, reject) => {
      waiter = { resolve, reject };
    });
  };
}

export async function execGoHost(calls: number): Promise<Runner<number[]>> {
  const dir = await buildGo();
  const name = unique("benchgh");
  // The function channel is /tmp/func_<symbol>.ipc: a symbol of its own, since
  // our host serves the same plugin's `benchechogo` at the same time.
  const symbol = unique("benchechogh");
  const what = `Go host (plugin ${name}, function ${symbol})`;
  const child = spawn(
    join(dir, "go-host"),
    [
      ...["-exe", join(dir, "benchgo"), "-name", name, "-symbol", symbol],
      ...["-args", JSON.stringify([ROW]), "-rule", CTX.ruleId, "-op", CTX.opId],
    ],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  const next = lines(child, what);
  const first = await next();
  if (!first.ready) {
    child.kill();
    throw new GoHostError(`${what} did not start: ${first.error ?? JSON.stringify(first)}`);
  }
  const run = async (n: number): Promise<number[]> => {
    child.stdin!.write(`run ${n}\n`);
    const l = await next();
    if (!l.lat) throw new GoHostError(`${what}: ${l.error ?? JSON.stringify(l)}`);
    return l.lat;
  };
  return {
    warm: async () => void (await run(Math.max(100, calls / 10))),
    sample: () => run(calls),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
        child.once("exit", () => {
          clearTimeout(kill);
          resolve();
        });
        child.stdin!.end(); // end of stdin: the Go host stops its plugin and exits
      }),
  };
}
