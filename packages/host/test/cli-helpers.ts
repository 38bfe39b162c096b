// Runs the `portable` command as a user does: one-shot commands as separate
// processes, and `serve` as a child process awaited until it listens.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
export const NODE_ARGS = ["--import", "tsx", MAIN];

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function portable(...args: string[]): Promise<Result> {
  return portableWith({}, ...args);
}

/** Runs `portable` with extra environment variables; killed after 20 s (code -1). */
export async function portableWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Result> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...NODE_ARGS, ...args], {
      env: { ...cleanEnv(), ...env },
      timeout: 20_000,
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number | null; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

export function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env["PORTABLE_SERVER"];
  delete env["PORTABLE_TOKEN"];
  delete env["PORTABLE_TOKEN_FILE"];
  delete env["PORTABLE_ALLOWED_HOSTS"];
  delete env["PORTABLE_INSTALL_TIMEOUT"];
  delete env["PORTABLE_DATA_DIR"];
  return env;
}

/** The arguments of `portable serve` on `port` with the given data and socket folders. */
export function serveArgs(port: string, dataDir: string, socketDir: string): string[] {
  return ["serve", "--port", port, "--data-dir", dataDir, "--socket-dir", socketDir];
}

/** Starts `portable serve` and resolves with its URL once it listens. */
export function startServer(
  dataDir: string,
  ...extra: string[]
): Promise<{ url: string; child: ChildProcess }> {
  // serve starts plugins: their sockets go to a folder of this test, away
  // from other hosts on the machine that may run a plugin called "mirror".
  const sockets = join(dataDir, "..", "sockets");
  const child = spawn(
    process.execPath,
    [...NODE_ARGS, ...serveArgs("0", dataDir, sockets), ...extra],
    {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once("exit", (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once("exit", () => done());
    child.kill("SIGTERM");
  });
}
