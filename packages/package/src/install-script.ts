// Runs a package's `install.sh` with bash in the plugin folder, bounded by a
// timeout and ended by a signal (client gone, host stopping): either way the
// whole process group is killed. stdout and stderr are captured into one log
// kept in the error and, when asked, in a log file.

import { spawn } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { PackageError } from "./errors.js";

export const INSTALL_SCRIPT = "install.sh";

/** Default time limit of install.sh: 2 minutes (PROTOCOL.md §6.5 allows up to 10). */
export const DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS = 120_000;

/** After the script exits, how long its output pipes may stay open (a daemon it left holds them). */
const PIPE_GRACE_MS = 500;

export interface InstallScriptOptions {
  readonly plugin: string;
  readonly timeoutMs: number;
  /** Arguments for the script (the REST body's `shellParas`). */
  readonly args?: readonly string[] | undefined;
  /** Where to write the captured output (overwritten), if anywhere. */
  readonly logFile?: string | undefined;
  /** Kills the script's process group when it fires. */
  readonly signal?: AbortSignal | undefined;
}

/** Output kept in memory and in errors: the tail is what explains a failure. */
const MAX_KEPT_OUTPUT = 64 * 1024;

/** Runs `bash install.sh [args...]` in `dir` (PROTOCOL.md §6.5); resolves with its output, throws PORTABLE_E_INSTALL_SCRIPT. */
export async function runInstallScript(dir: string, opts: InstallScriptOptions): Promise<string> {
  let output = "";
  const keep = (chunk: Buffer) => {
    output += chunk.toString("utf8");
    if (output.length > MAX_KEPT_OUTPUT) output = output.slice(-MAX_KEPT_OUTPUT);
  };
  const child = spawn("bash", [INSTALL_SCRIPT, ...(opts.args ?? [])], {
    cwd: dir,
    // Its own process group, so a timeout also ends what the script started.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORTABLE_PLUGIN_NAME: opts.plugin, PORTABLE_PLUGIN_DIR: dir },
  });
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  let timedOut = false;
  const killGroup = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, opts.timeoutMs);
  opts.signal?.addEventListener("abort", killGroup, { once: true });
  if (opts.signal?.aborted) killGroup();
  const result = await new Promise<{ code: number | null; signal: string | null; error?: Error }>(
    (done) => {
      child.once("error", (error) => done({ code: null, signal: null, error }));
      child.once("close", (code, signal) => done({ code, signal }));
      // A process it started in another group may hold the pipes open: do not wait for it.
      child.once("exit", (code, signal) => {
        setTimeout(() => {
          child.stdout.destroy();
          child.stderr.destroy();
          done({ code, signal });
        }, PIPE_GRACE_MS).unref();
      });
    },
  );
  clearTimeout(timer);
  opts.signal?.removeEventListener("abort", killGroup);
  // Whatever the script left running in its group goes with it.
  killGroup();
  if (opts.logFile) {
    await mkdir(dirname(opts.logFile), { recursive: true });
    await writeFile(opts.logFile, output);
  }
  if (result.code === 0) return output;
  const why = timedOut
    ? `timed out after ${opts.timeoutMs} ms (its process group was killed)`
    : opts.signal?.aborted
      ? `was stopped: ${opts.signal.reason instanceof Error ? opts.signal.reason.message : String(opts.signal.reason)}`
      : result.error
        ? `could not run bash: ${result.error.message}`
        : result.signal
          ? `was killed by ${result.signal}`
          : `exited with code ${result.code}`;
  const tail = output.length > 2000 ? `…${output.slice(-2000)}` : output;
  throw new PackageError(
    "PORTABLE_E_INSTALL_SCRIPT",
    `plugin ${opts.plugin}: ${INSTALL_SCRIPT} ${why}${tail ? `; output:\n${tail}` : ""}`,
    {
      plugin: opts.plugin,
      path: INSTALL_SCRIPT,
      output,
      ...(result.error ? { cause: result.error } : {}),
    },
  );
}
