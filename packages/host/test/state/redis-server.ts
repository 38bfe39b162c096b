// Starts a real redis-server (Debian's package `redis-server`, installed by
// scripts/setup-peers.sh) on a free loopback port in a temp folder, with
// append-only persistence fsynced on every write, and stops it after. A missing
// redis-server fails the run in CI (env CI) and is skipped with a visible
// warning elsewhere: no Redis is ever mocked.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const REDIS_HINT =
  "install it with `apt-get install -y redis-server` (scripts/setup-peers.sh does)";

/** Whether redis-server runs here, and why not. */
export function redisAvailable(): { ok: true } | { ok: false; reason: string } {
  const r = spawnSync("redis-server", ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) return { ok: false, reason: "redis-server not found on PATH" };
  return { ok: true };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class RedisServer {
  readonly dir: string;
  port = 0;
  #proc: ChildProcess | undefined;

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), "portable-redis-"));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts the server (again, on the same port and folder after kill()). */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const args = ["--port", String(this.port), "--bind", "127.0.0.1", "--dir", this.dir];
    args.push("--save", "", "--appendonly", "yes", "--appendfsync", "always", "--daemonize", "no");
    const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    this.#proc = proc;
    let out = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`redis-server not ready in 10 s:\n${out}`)),
        10_000,
      );
      proc.stdout?.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited (${code}):\n${out}`));
      });
    });
    proc.removeAllListeners("exit");
  }

  /** kill -9: the connection drops without a goodbye. */
  async kill(): Promise<void> {
    const proc = this.#proc;
    this.#proc = undefined;
    if (!proc || proc.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
