// A private /tmp for a conformance run. Reference SDKs put their sockets at
// fixed paths (`/tmp/plugin_<name>.ipc`, `/tmp/func_<symbol>.ipc`), so two
// users testing a plugin called `mirror` on one machine collide. On Linux the
// CLI re-executes itself under `unshare -m` (as root; else with a user
// namespace, `-r`) with a fresh tmpfs on /tmp: the suite and every plugin it
// starts share that namespace and see nobody else's sockets. The machine's
// /tmp stays reachable at OUTER_TMP inside, and arguments under /tmp are
// rewritten to it. Where the OS allows no namespace, the run uses the shared
// /tmp and a taken path is reported with its holder (socket-holder.ts).

import { type SpawnSyncReturns, spawn, spawnSync } from "node:child_process";

/** Set in the re-executed CLI: it already runs in a private /tmp. */
export const PRIVATE_TMP_ENV = "PORTABLE_CONFORMANCE_PRIVATE_TMP";
/** Where the machine's /tmp is mounted inside the private one. */
export const OUTER_TMP = "/tmp/.outer-tmp";

const CWD_ENV = "PORTABLE_CONFORMANCE_CWD";
// Mount the tmpfs while standing in the old /tmp, then bind that old
// directory (".", not canonicalized) into the new tmpfs.
const SCRIPT = `set -e
cd /tmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
mkdir ${OUTER_TMP}
mount --no-canonicalize --bind . ${OUTER_TMP}
cd "$${CWD_ENV}"
exec "$@"`;

function unshareFlags(): string[] {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return root ? ["-m", "--propagation", "private"] : ["-r", "-m", "--propagation", "private"];
}

/** Rewrites `/tmp/...` at the start of an argument or after `=` to the outer /tmp. */
export function mapToOuterTmp(arg: string): string {
  return arg.replace(/(^|=)\/tmp(?=\/|$)/g, `$1${OUTER_TMP}`);
}

export type PrivateTmpProbe = { readonly ok: true } | { readonly ok: false; readonly why: string };

/** Whether this process may make a mount namespace with its own /tmp. */
export function probePrivateTmp(): PrivateTmpProbe {
  if (process.platform !== "linux") return { ok: false, why: `not Linux (${process.platform})` };
  let r: SpawnSyncReturns<string>;
  try {
    r = spawnSync("unshare", [...unshareFlags(), "sh", "-c", "mount -t tmpfs tmpfs /tmp"], {
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  } catch (err) {
    return { ok: false, why: err instanceof Error ? err.message : String(err) };
  }
  if (r.error) return { ok: false, why: `unshare: ${r.error.message}` };
  if (r.status !== 0) {
    return {
      ok: false,
      why: (r.stderr.trim().split("\n")[0] ?? "") || `unshare status ${r.status}`,
    };
  }
  return { ok: true };
}

/**
 * Runs this CLI again, with `args`, inside a private /tmp; resolves with its
 * exit status. SIGINT/SIGTERM are passed on.
 */
export function runInPrivateTmp(script: string, args: readonly string[]): Promise<number> {
  const cwd = mapToOuterTmp(process.cwd());
  const env: NodeJS.ProcessEnv = { ...process.env, [PRIVATE_TMP_ENV]: "1", [CWD_ENV]: cwd };
  if (env["TMPDIR"]) env["TMPDIR"] = mapToOuterTmp(env["TMPDIR"]);
  const child = spawn(
    "unshare",
    [
      ...unshareFlags(),
      "sh",
      "-c",
      SCRIPT,
      "sh",
      mapToOuterTmp(process.execPath),
      ...process.execArgv,
      mapToOuterTmp(script),
      ...args.map(mapToOuterTmp),
    ],
    { stdio: "inherit", env },
  );
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  const onInt = forward("SIGINT");
  const onTerm = forward("SIGTERM");
  process.on("SIGINT", onInt);
  process.on("SIGTERM", onTerm);
  return new Promise((resolve) => {
    child.once("error", () => resolve(2));
    child.once("exit", (code, signal) => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
      resolve(code ?? (signal ? 130 : 2));
    });
  });
}
