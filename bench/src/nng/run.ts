// The @portable-plugins/nng bench: its sockets against the raw node:net floor
// and libnanomsg. Part of `npm run bench`; alone: `npm run bench:nng` in bench/
// (add -- --quick, or BENCH_QUICK=1, for a smoke run of a few hundred
// iterations). It lives in the bench package, which depends on nng, so that
// nng depends on nothing of the bench. Two Node processes over ipc: this one dials (REQ
// ping-pong, PUSH stream), a forked child listens (REP echo, PULL counter).
// Each row runs several times; the table shows medians with min-max, and the
// ratio to the raw node:net floor measured in the same run. Targets are
// reported, never asserted: speed depends on the machine.
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ChildPeer } from "../floor/peer.js";
import { IMPLS, type ImplName, nanomsgLoadError } from "./impls.js";
import { printTable, type Row, summarize } from "./report.js";

const quick = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const RUNS = quick ? 2 : 5;
const RT_ITERS = quick ? 300 : 20_000;
const PUSH_COUNTS: Record<number, number> = quick
  ? { 100: 500, 1024: 500, 65536: 200 }
  : { 100: 200_000, 1024: 100_000, 65536: 10_000 };
const implArg = process.argv.find((a) => a.startsWith("--impl="));
const IMPL_ORDER = (implArg?.slice(7).split(",") ?? ["raw", "nng", "nanomsg"]) as ImplName[];

const dir = mkdtempSync(join(tmpdir(), "nng-bench-"));
let seq = 0;
const url = () => `ipc://${join(dir, `b${seq++}.ipc`)}`;

/** One measured scenario for one implementation, connected and ready to sample. */
interface Runner {
  warm(): Promise<void>;
  /** REQ/REP: the run's round-trip latencies in µs. PUSH/PULL: the run's seconds. */
  sample(): Promise<number[] | number>;
  close(): Promise<void>;
}

async function reqRepRunner(child: ChildPeer, impl: ImplName): Promise<Runner> {
  const u = url();
  await child.request({ op: "serve", impl, kind: "echo", url: u }, "ready");
  const client = await IMPLS[impl].dialReq(u);
  const body = randomBytes(100);
  return {
    async warm() {
      for (let i = 0; i < Math.max(100, RT_ITERS / 10); i++) await client.roundTrip(body);
    },
    async sample() {
      const lat: number[] = new Array(RT_ITERS);
      for (let i = 0; i < RT_ITERS; i++) {
        const t = process.hrtime.bigint();
        await client.roundTrip(body);
        lat[i] = Number(process.hrtime.bigint() - t) / 1000;
      }
      return lat;
    },
    async close() {
      await client.close();
      await child.request({ op: "stop" }, "stopped");
    },
  };
}

async function pushPullRunner(child: ChildPeer, impl: ImplName, size: number): Promise<Runner> {
  const u = url();
  await child.request({ op: "serve", impl, kind: "pull", url: u }, "ready");
  const client = await IMPLS[impl].dialPush(u);
  const body = randomBytes(size);
  const count = PUSH_COUNTS[size]!;
  const stream = async (n: number) => {
    await child.request({ op: "expect", count: n }, "expecting");
    const t = process.hrtime.bigint();
    await client.sendMany(body, n);
    await child.next("done");
    return Number(process.hrtime.bigint() - t) / 1e9;
  };
  return {
    warm: async () => void (await stream(Math.max(50, Math.floor(count / 10)))),
    sample: () => stream(count),
    async close() {
      await client.close();
      await child.request({ op: "stop" }, "stopped");
    },
  };
}

/**
 * Runs one scenario on every implementation, interleaved: run r samples each
 * implementation in turn (rotating who goes first), so a noisy neighbour on a
 * shared machine hits all of them alike and per-run ratios stay meaningful.
 */
async function interleaved(
  children: Map<ImplName, ChildPeer>,
  setup: (child: ChildPeer, impl: ImplName) => Promise<Runner>,
): Promise<Map<ImplName, Array<number[] | number>>> {
  const runners = new Map<ImplName, Runner>();
  const samples = new Map<ImplName, Array<number[] | number>>();
  try {
    for (const [impl, child] of children) runners.set(impl, await setup(child, impl));
    for (const r of runners.values()) await r.warm();
    const order = [...runners.keys()];
    for (let run = 0; run < RUNS; run++) {
      for (let k = 0; k < order.length; k++) {
        const impl = order[(run + k) % order.length]!;
        const s = samples.get(impl) ?? [];
        s.push(await runners.get(impl)!.sample());
        samples.set(impl, s);
      }
    }
  } finally {
    for (const r of runners.values()) await r.close();
  }
  return samples;
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const children = new Map<ImplName, ChildPeer>();
  const nanoErr = nanomsgLoadError();
  for (const impl of IMPL_ORDER) {
    if (impl === "nanomsg" && nanoErr) {
      rows.push({ scenario: "all", impl, error: `binding unavailable: ${nanoErr}` });
    } else {
      children.set(impl, new ChildPeer(new URL("./child.ts", import.meta.url), "bench child"));
    }
  }
  try {
    const rr = await interleaved(children, reqRepRunner);
    for (const [impl, s] of rr)
      rows.push(summarize.latency("REQ/REP 100 B", impl, s as number[][]));
    for (const size of [100, 1024, 65536]) {
      const pp = await interleaved(children, (c, impl) => pushPullRunner(c, impl, size));
      for (const [impl, s] of pp) {
        rows.push(summarize.throughput(size, impl, PUSH_COUNTS[size]!, s as number[]));
      }
    }
  } catch (e) {
    rows.push({ scenario: "(aborted)", impl: "raw", error: (e as Error).stack ?? String(e) });
  } finally {
    await Promise.all([...children.values()].map((c) => c.kill()));
  }
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? "?"}`,
    quick,
    runs: RUNS,
    reqRepIterations: RT_ITERS,
    pushCounts: PUSH_COUNTS,
    transport: "ipc (Unix domain socket)",
  };
  const targets = printTable(rows, meta);
  // A smoke run must not overwrite the figures of the last full run.
  const out = fileURLToPath(
    new URL(
      quick ? "../../out/results.nng.quick.json" : "../../out/results.nng.json",
      import.meta.url,
    ),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ ...meta, targets, rows }, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}

try {
  await main();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
