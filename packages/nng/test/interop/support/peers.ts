// Where the real peers live and how to drive them. No peer is ever mocked: a
// missing one fails the run in CI (with the command that installs it) and is
// skipped with a visible warning elsewhere.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";
import { type Spawned, spawnPeer, within } from "./processes.js";

const repoRoot = fileURLToPath(new URL("../../../../../", import.meta.url));
const pynngScript = fileURLToPath(new URL("../peers/pynng_peer.py", import.meta.url));

export type Availability = { ok: true } | { ok: false; reason: string };

const SETUP_HINT = "run `bash scripts/setup-peers.sh` from the repository root";

export function pythonPath(): string {
  if (process.env.PORTABLE_PEER_PYTHON) return process.env.PORTABLE_PEER_PYTHON;
  const unix = `${repoRoot}.venv/bin/python`;
  return existsSync(unix) ? unix : `${repoRoot}.venv/Scripts/python.exe`;
}

export function pynngAvailable(): Availability {
  const py = pythonPath();
  if (!existsSync(py)) return { ok: false, reason: `no Python venv at ${py}` };
  const r = spawnSync(py, ["-c", "import pynng"], { encoding: "utf8", timeout: 20_000 });
  return r.status === 0 ? { ok: true } : { ok: false, reason: `pynng not importable: ${r.stderr}` };
}

export function nngcatAvailable(): Availability {
  const r = spawnSync("nngcat", ["--version"], { encoding: "utf8", timeout: 10_000 });
  return r.error ? { ok: false, reason: `nngcat not on PATH (${r.error.message})` } : { ok: true };
}

/** The `nanomsg` npm binding (CommonJS, native): the libnanomsg peer, in-process. */
export function loadNanomsg(): { ok: true; nano: Nanomsg } | { ok: false; reason: string } {
  try {
    const nano = createRequire(import.meta.url)("nanomsg") as Nanomsg;
    return { ok: true, nano };
  } catch (e) {
    return { ok: false, reason: `npm package nanomsg not loadable: ${(e as Error).message}` };
  }
}

/**
 * `describe` for one peer. Unavailable: in CI a failing test that says how to
 * install it; elsewhere a skipped block whose title carries the reason.
 */
export function describePeer(name: string, avail: Availability, body: () => void): void {
  if (avail.ok) {
    describe(name, body);
    return;
  }
  const why = `${avail.reason}; ${SETUP_HINT}`;
  if (process.env.CI) {
    describe(name, () => {
      it("is installed (required in CI)", () => {
        throw new Error(`interop peer ${name} missing: ${why}`);
      });
    });
    return;
  }
  console.warn(`[interop] SKIPPING ${name}: ${why}`);
  describe.skip(`${name} (SKIPPED: ${why})`, body);
}

// --- pynng ------------------------------------------------------------------

export interface PynngReply {
  ok: boolean;
  hex?: string;
  count?: number;
  bytes?: number;
  digest?: string;
  pipes?: number;
  error?: string;
  message?: string;
}

export interface PynngOptions {
  proto: "req" | "rep" | "push" | "pull";
  listen?: string;
  dial?: string;
  resendMs?: number;
  sendTimeoutMs?: number;
}

/** One pynng socket in a child process, driven by JSON lines (see pynng_peer.py). */
export class PynngPeer {
  /** The resolved URL: for `tcp://host:0` listeners, the bound port. */
  url = "";
  private buffered = "";
  private waiting: Array<(line: string) => void> = [];

  private constructor(readonly proc: Spawned) {
    proc.child.stdout!.setEncoding("utf8");
    proc.child.stdout!.on("data", (chunk: string) => {
      this.buffered += chunk;
      let nl = this.buffered.indexOf("\n");
      while (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.waiting.shift()?.(line);
        nl = this.buffered.indexOf("\n");
      }
    });
  }

  static async start(opts: PynngOptions): Promise<PynngPeer> {
    const args = ["-u", pynngScript, "--proto", opts.proto];
    if (opts.listen) args.push("--listen", opts.listen);
    if (opts.dial) args.push("--dial", opts.dial);
    if (opts.resendMs !== undefined) args.push("--resend-ms", String(opts.resendMs));
    if (opts.sendTimeoutMs !== undefined) {
      args.push("--send-timeout-ms", String(opts.sendTimeoutMs));
    }
    const peer = new PynngPeer(spawnPeer(pythonPath(), args, `pynng ${opts.proto}`));
    const ready = JSON.parse(await peer.nextLine(15_000, "READY")) as {
      ready: boolean;
      url?: string;
    };
    if (!ready.ready) throw new Error(`pynng peer failed to start: ${JSON.stringify(ready)}`);
    peer.url = ready.url ?? "";
    return peer;
  }

  private nextLine(ms: number, what: string): Promise<string> {
    const line = new Promise<string>((resolve, reject) => {
      this.waiting.push(resolve);
      this.proc.exited.then(
        (code) => reject(new Error(`pynng peer exited (${code}): ${this.proc.output().stderr}`)),
        reject,
      );
    });
    return within(ms, `pynng ${what}`, line);
  }

  /** Sends one op; replies come back in order, so ops may be pipelined. */
  async op(req: Record<string, unknown>, ms = 20_000): Promise<PynngReply> {
    const reply = this.nextLine(ms, String(req.op));
    this.proc.child.stdin!.write(`${JSON.stringify(req)}\n`);
    return JSON.parse(await reply) as PynngReply;
  }

  async send(data: Uint8Array): Promise<void> {
    const r = await this.op({ op: "send", hex: Buffer.from(data).toString("hex") });
    if (!r.ok) throw new Error(`pynng send failed: ${r.error} ${r.message}`);
  }

  async recv(timeoutMs = 10_000): Promise<Buffer> {
    const r = await this.op({ op: "recv", timeout_ms: timeoutMs }, timeoutMs + 10_000);
    if (!r.ok) throw new Error(`pynng recv failed: ${r.error} ${r.message}`);
    return Buffer.from(r.hex ?? "", "hex");
  }
}

// --- nngcat -----------------------------------------------------------------

/** Parses nngcat's `--hex` output: one `"\xNN\xNN..."` line per message. */
export function parseNngcatHex(out: string): Buffer[] {
  return out
    .split("\n")
    .filter((l) => l.startsWith('"'))
    .map((l) => Buffer.from(l.slice(1, -1).replaceAll("\\x", ""), "hex"));
}

export function nngcat(args: string[]): Spawned {
  return spawnPeer("nngcat", args, `nngcat ${args[0]}`);
}

// --- nanomsg binding (the subset we use) --------------------------------------

export interface NanoSocket {
  bind(addr: string): unknown;
  connect(addr: string): unknown;
  send(msg: Buffer | string): number;
  on(ev: "data", cb: (msg: Buffer) => void): void;
  on(ev: "error", cb: (err: Error) => void): void;
  removeAllListeners(ev?: string): void;
  rcvmaxsize(size?: number): number;
  resend?(ms?: number): number;
  close(): void;
}

export interface Nanomsg {
  socket(type: "req" | "rep" | "push" | "pull", opts?: Record<string, unknown>): NanoSocket;
}
