// One chaos run over one mirror plugin: a host with the plugin installed, a
// steady load (concurrent `echo` calls whose results are checked, and the
// `random` source streaming), and a killer that sends SIGKILL to the plugin's
// process again and again. After each kill it waits until the plugin is
// back — a new process, a call answered and a row received after the kill —
// and records how long that took. At the end it stops the load, closes the
// host and counts what is left: processes, socket files, host memory.

import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type HostLogger, PortableHost } from "@portable-plugins/host";
import {
  controlSocketPath,
  DEFAULT_SOCKET_DIR,
  functionSocketPath,
  type JsonObject,
} from "@portable-plugins/protocol";
import { pidAlive, waitFor } from "@portable-plugins/sdk/testing";
import { type Mirror, subject } from "./subjects.js";

export interface ChaosOptions {
  readonly mirror: Mirror;
  /** How many times the plugin is killed. */
  readonly kills: number;
  /** At least this long between two kills, in ms (the plugin must also be back). */
  readonly intervalMs?: number;
  /** Concurrent callers of `echo`. */
  readonly callers?: number;
  /** The source's `interval`, in ms. */
  readonly sourceIntervalMs?: number;
  /** A plugin not back this long after a kill ends the run as lost, in ms. */
  readonly recoveryTimeoutMs?: number;
  /** Folder of the socket files; the reference SDKs know only /tmp. */
  readonly socketDir?: string;
  /** Called after each kill with its recovery time. */
  readonly onKill?: (n: number, recoveryMs: number) => void;
}

export interface ChaosResult {
  readonly mirror: Mirror;
  readonly kills: number;
  /** Kills after which the plugin did not come back in time (the run stops at the first). */
  readonly unrecovered: number;
  readonly calls: { readonly ok: number; readonly failed: number; readonly wrong: number };
  readonly rows: { readonly ok: number; readonly wrong: number };
  /** Recovery time after each kill, in ms. */
  readonly recoveryMs: readonly number[];
  /** The source's iteration ended or failed (a lost symbol). */
  readonly sourceLost: string | undefined;
  readonly processesLeft: readonly number[];
  readonly socketsLeft: readonly string[];
  readonly rssMb: { readonly before: number; readonly after: number };
  readonly restarts: number;
  readonly seconds: number;
  /** Last lines the host logged at warn or error, for a run that lost something. */
  readonly log: readonly string[];
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A logger that keeps the last warn/error lines and drops the rest. */
function tailLogger(keep: number): HostLogger & { readonly lines: string[] } {
  const lines: string[] = [];
  const push = (level: string) => (m: string) => {
    lines.push(`${level} ${m}`);
    if (lines.length > keep) lines.shift();
  };
  const drop = () => undefined;
  return { lines, debug: drop, info: drop, warn: push("warn"), error: push("error") };
}

function rssMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10;
}

/** Polls `ok` every 2 ms until it holds or `ms` pass; whether it held. */
function until(ok: () => boolean, ms: number): Promise<boolean> {
  return waitFor("chaos", ok, ms, 2).then(
    () => true,
    () => false,
  );
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const intervalMs = o.intervalMs ?? 700;
  const recoveryTimeoutMs = o.recoveryTimeoutMs ?? 60_000;
  const socketDir = o.socketDir ?? DEFAULT_SOCKET_DIR;
  const started = performance.now();
  const work = await mkdtemp(join(tmpdir(), `portable-chaos-${o.mirror}-`));
  const logger = tailLogger(40);
  const sub = await subject(o.mirror, work);
  const host = new PortableHost({ dataDir: join(work, "data"), socketDir, logger, ...sub.host });
  const rule = `chaos${process.pid}`;
  const calls = { ok: 0, failed: 0, wrong: 0 };
  const rows = { ok: 0, wrong: 0 };
  let lastCall = 0;
  let lastRow = 0;
  let stopping = false;
  let sourceLost: string | undefined;
  const pids = new Set<number>();
  const recoveryMs: number[] = [];
  let unrecovered = 0;
  let rssBefore = 0;
  let rssAfter = 0;
  let restarts = 0;
  try {
    await host.install("mirror", sub.from);
    const echo = await host.function("echo");
    const source = await host.source(
      "random",
      { ruleId: rule, opId: "src", instanceId: 0 },
      { config: { interval: o.sourceIntervalMs ?? 10, pattern: { count: 50 }, seed: 1 } },
    );
    const reader = (async () => {
      try {
        for await (const row of source) {
          if (isDeepStrictEqual(row.message, { count: 50 })) rows.ok++;
          else rows.wrong++;
          lastRow = performance.now();
        }
        if (!stopping) sourceLost = "the source's rows ended";
      } catch (err) {
        if (!stopping) sourceLost = (err as Error).message;
      }
    })();
    let seq = 0;
    const caller = async () => {
      while (!stopping) {
        const arg: JsonObject = { n: ++seq, text: "chaos payload of the echo function" };
        try {
          const result = await echo.exec([arg], { ruleId: rule, opId: "fn" });
          if (isDeepStrictEqual(result, arg)) {
            calls.ok++;
            lastCall = performance.now();
          } else {
            calls.wrong++;
          }
        } catch {
          calls.failed++;
          await sleep(10);
        }
      }
    };
    const callers = Array.from({ length: o.callers ?? 4 }, caller);
    const warm = await until(() => lastCall > 0 && lastRow > 0, recoveryTimeoutMs);
    if (!warm)
      throw new Error(
        `${o.mirror} mirror: no call answered or no row within ${recoveryTimeoutMs} ms`,
      );
    rssBefore = rssMb();
    let lastKill = 0;
    for (let n = 1; n <= o.kills && sourceLost === undefined; n++) {
      await sleep(Math.max(0, lastKill + intervalMs - performance.now()));
      const pidNow = () => host.info("mirror")?.pid;
      await until(() => pidNow() !== undefined, recoveryTimeoutMs);
      const pid = pidNow();
      if (pid === undefined) {
        unrecovered++;
        break;
      }
      pids.add(pid);
      const killed = pid;
      process.kill(killed, "SIGKILL");
      lastKill = performance.now();
      // Back: a new process runs, and a call was answered and a row received
      // after it was seen running (not a reply or row of the killed one).
      let runningAt = 0;
      const back = await until(() => {
        if (runningAt === 0) {
          const now = host.info("mirror");
          if (now?.phase === "running" && now.pid !== undefined && now.pid !== killed) {
            runningAt = performance.now();
          }
          return false;
        }
        return lastCall > runningAt && lastRow > runningAt;
      }, recoveryTimeoutMs);
      if (!back) {
        unrecovered++;
        break;
      }
      const ms = Math.max(lastCall, lastRow) - lastKill;
      recoveryMs.push(ms);
      o.onKill?.(n, ms);
    }
    const last = host.info("mirror");
    if (last?.pid !== undefined) pids.add(last.pid);
    restarts = last?.restarts ?? 0;
    stopping = true;
    await Promise.all(callers);
    await source.close();
    await reader;
    await echo.close();
    rssAfter = rssMb();
  } finally {
    stopping = true;
    await host.close();
  }
  // Reaped children vanish at once; give a killed group a moment to go.
  await until(() => [...pids].every((p) => !pidAlive(p)), 5_000);
  const processesLeft = [...pids].filter(pidAlive);
  const socketsLeft = (await readdir(socketDir).catch(() => [] as string[])).filter(
    (f) =>
      f === basename(controlSocketPath("mirror")) ||
      f === basename(functionSocketPath("echo")) ||
      f.startsWith(`${rule}_`),
  );
  await rm(work, { recursive: true, force: true });
  return {
    mirror: o.mirror,
    kills: recoveryMs.length + unrecovered,
    unrecovered,
    calls,
    rows,
    recoveryMs,
    sourceLost,
    processesLeft,
    socketsLeft,
    rssMb: { before: rssBefore, after: rssAfter },
    restarts,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    log: logger.lines,
  };
}

/** What a run lost, leaked or left running; empty when nothing. */
export function problems(r: ChaosResult, expectedKills: number): string[] {
  const out: string[] = [];
  if (r.kills < expectedKills) out.push(`only ${r.kills} of ${expectedKills} kills done`);
  if (r.unrecovered > 0) out.push(`${r.unrecovered} kill(s) the plugin did not come back from`);
  if (r.calls.wrong > 0) out.push(`${r.calls.wrong} call(s) answered with a wrong result`);
  if (r.rows.wrong > 0) out.push(`${r.rows.wrong} wrong row(s)`);
  if (r.sourceLost !== undefined) out.push(`source lost: ${r.sourceLost}`);
  if (r.processesLeft.length > 0) out.push(`processes left: ${r.processesLeft.join(", ")}`);
  if (r.socketsLeft.length > 0) out.push(`socket files left: ${r.socketsLeft.join(", ")}`);
  return out;
}
