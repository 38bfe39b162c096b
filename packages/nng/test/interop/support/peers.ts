// Where the real peers live and how to start them. No peer is ever mocked: a
// missing one fails the run in CI (with the command that installs it) and is
// skipped with a visible warning elsewhere.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { describe, inject, it } from "vitest";
import { driver, type PeerProgram } from "./line-peer.js";
import { type Spawned, spawnPeer } from "./processes.js";

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
export function describePeer(
  name: string,
  avail: Availability,
  body: () => void,
  hint = SETUP_HINT,
): void {
  if (avail.ok) {
    describe(name, body);
    return;
  }
  const why = `${avail.reason}; ${hint}`;
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

// --- JSON-lines peers: pynng (libnng) and mangos (Go) ---------------------------

export const PYNNG: PeerProgram = {
  name: "pynng",
  command: () => ({ cmd: pythonPath(), args: ["-u", pynngScript] }),
};

/** libnng through pynng, library defaults (NNG: no receive limit). */
export const pynng = driver("libnng (pynng)", PYNNG);

/** Built by the vitest globalSetup (build-peers.ts) into peers/mangos/build/. */
export function mangosAvailable(): Availability {
  const built = inject("mangosPeer");
  if (!built) return { ok: false, reason: "the mangos peer was not built (no vitest globalSetup)" };
  return built.ok ? { ok: true } : built;
}

export const MANGOS: PeerProgram = {
  name: "mangos",
  command: () => {
    const built = inject("mangosPeer");
    if (!built?.ok) throw new Error(`mangos peer not built: ${built?.reason ?? "no globalSetup"}`);
    return { cmd: built.path, args: [] };
  },
};

export const MANGOS_HINT =
  "install Go >= 1.21; the peer is built by `bash packages/nng/test/interop/peers/mangos/build.sh`";

/**
 * mangos with no receive limit in the shared cases (its default is 1 MiB; the
 * limit cases in mangos-limits.test.ts start it with recvMax omitted).
 */
export const mangos = driver("mangos v3.4.2", MANGOS, { recvMax: 0 });

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
