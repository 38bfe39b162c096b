// Another SP library's socket in a child process, driven by JSON lines: the
// contract of peers/pynng_peer.py (libnng), which peers/mangos (Go) speaks
// too, so one driver and one set of shared cases serve both.
import { type Spawned, spawnPeer, within } from "./processes.js";

export type PeerProto = "req" | "rep" | "push" | "pull" | "pair";

export interface LineReply {
  ok: boolean;
  hex?: string;
  count?: number;
  sent?: number;
  bytes?: number;
  digest?: string;
  pipes?: number;
  error?: string;
  message?: string;
}

/** The peer's command line (same flags for every peer program). */
export interface LinePeerOptions {
  proto: PeerProto;
  listen?: string;
  dial?: string;
  resendMs?: number;
  sendTimeoutMs?: number;
  /** Receive size limit in bytes, 0 = none; absent = the library's default. */
  recvMax?: number;
  reconnectMs?: number;
}

/** How to start one peer program: its command and leading arguments. */
export interface PeerProgram {
  name: string;
  command(): { cmd: string; args: string[] };
}

export class LinePeer {
  /** The resolved URL: for `tcp://host:0` listeners, the bound port. */
  url = "";
  private buffered = "";
  private waiting: Array<(line: string) => void> = [];

  private constructor(
    readonly name: string,
    readonly proc: Spawned,
  ) {
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

  static async start(program: PeerProgram, opts: LinePeerOptions): Promise<LinePeer> {
    const { cmd, args } = program.command();
    args.push("--proto", opts.proto);
    if (opts.listen) args.push("--listen", opts.listen);
    if (opts.dial) args.push("--dial", opts.dial);
    if (opts.resendMs !== undefined) args.push("--resend-ms", String(opts.resendMs));
    if (opts.sendTimeoutMs !== undefined) {
      args.push("--send-timeout-ms", String(opts.sendTimeoutMs));
    }
    if (opts.recvMax !== undefined) args.push("--recv-max", String(opts.recvMax));
    if (opts.reconnectMs !== undefined) args.push("--reconnect-ms", String(opts.reconnectMs));
    const label = `${program.name} ${opts.proto}`;
    const peer = new LinePeer(program.name, spawnPeer(cmd, args, label));
    const ready = JSON.parse(await peer.nextLine(15_000, "READY")) as {
      ready: boolean;
      url?: string;
    };
    if (!ready.ready) throw new Error(`${label} peer failed to start: ${JSON.stringify(ready)}`);
    peer.url = ready.url ?? "";
    return peer;
  }

  private nextLine(ms: number, what: string): Promise<string> {
    const line = new Promise<string>((resolve, reject) => {
      this.waiting.push(resolve);
      this.proc.exited.then(
        (code) =>
          reject(new Error(`${this.name} peer exited (${code}): ${this.proc.output().stderr}`)),
        reject,
      );
    });
    return within(ms, `${this.name} ${what}`, line);
  }

  /** Sends one op; replies come back in order, so ops may be pipelined. */
  async op(req: Record<string, unknown>, ms = 20_000): Promise<LineReply> {
    const reply = this.nextLine(ms, String(req.op));
    this.proc.child.stdin!.write(`${JSON.stringify(req)}\n`);
    return JSON.parse(await reply) as LineReply;
  }

  async send(data: Uint8Array): Promise<void> {
    const r = await this.op({ op: "send", hex: Buffer.from(data).toString("hex") });
    if (!r.ok) throw new Error(`${this.name} send failed: ${r.error} ${r.message}`);
  }

  /** Polls the peer's pipe count until `want` holds; throws with the last count after `ms`. */
  async pipesUntil(want: (n: number) => boolean, ms = 10_000): Promise<number> {
    const deadline = Date.now() + ms;
    let n = -1;
    while (Date.now() < deadline) {
      n = (await this.op({ op: "pipes" })).pipes ?? -1;
      if (want(n)) return n;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${this.name}: pipe count still ${n} after ${ms} ms`);
  }

  async recv(timeoutMs = 10_000): Promise<Buffer> {
    const r = await this.op({ op: "recv", timeout_ms: timeoutMs }, timeoutMs + 10_000);
    if (!r.ok) throw new Error(`${this.name} recv failed: ${r.error} ${r.message}`);
    return Buffer.from(r.hex ?? "", "hex");
  }
}

/**
 * A peer program with the options every shared case starts it with (mangos:
 * no receive limit, so 1.5 MiB messages cross as they do with libnng).
 */
export interface PeerDriver {
  /** Test titles and messages: "libnng (pynng)", "mangos v3.4.2". */
  title: string;
  start(opts: LinePeerOptions): Promise<LinePeer>;
}

export function driver(
  title: string,
  program: PeerProgram,
  defaults: Partial<LinePeerOptions> = {},
): PeerDriver {
  return { title, start: (opts) => LinePeer.start(program, { ...defaults, ...opts }) };
}
