// Helpers for tests that run real plugin processes: copies of a plugin folder
// under a unique name, a logger that keeps lines, polling, checks that no
// process and no socket file is left behind (and the per-test hooks that run
// them), killing a plugin until the host brings it back, and turns at the
// socket paths that reference SDKs hard-code.

import { cp, open, readdir, readFile, rename, unlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { nextWithin, pidAlive, waitFor } from "@portable-plugins/sdk/testing";
import { afterEach, beforeEach, expect } from "vitest";
import type { PortableHost } from "../src/host.js";
import type { HostLogger } from "../src/logger.js";
import { socketIsLive } from "../src/run/socket-files.js";
import { tempDir } from "./helpers.js";

// The waiting helpers of every test suite, re-exported for this package's tests.
export { nextWithin, pidAlive, waitFor };

const require = createRequire(import.meta.url);

/** The TypeScript SDK test plugin (fixtures/ts-plugin) and the environment it needs to find the built SDK. */
export const TS_FIXTURE_DIR = fileURLToPath(new URL("./fixtures/ts-plugin", import.meta.url));
export const TS_FIXTURE_ENV = {
  FIXTURE_SDK_URL: pathToFileURL(require.resolve("@portable-plugins/sdk")).href,
  FIXTURE_NNG_URL: pathToFileURL(require.resolve("@portable-plugins/nng")).href,
};

let seq = 0;

/** A plugin name unique to this process and call. */
export function uniqueName(prefix: string): string {
  seq++;
  return `${prefix}${process.pid}x${seq}`;
}

/** Copies plugin folder `from` (manifest `<manifest>.json`) as a folder for plugin `name`. */
export async function copyPlugin(from: string, manifest: string, name: string): Promise<string> {
  const dir = join(await tempDir("host-plugin-src-"), name);
  await cp(from, dir, {
    recursive: true,
    filter: (src) => !/(__pycache__|\/build)$/.test(src),
  });
  await rename(join(dir, `${manifest}.json`), join(dir, `${name}.json`));
  return dir;
}

export interface CollectingLogger extends HostLogger {
  readonly lines: string[];
}

/** Keeps every line; echoes them to stderr when PORTABLE_TEST_LOG is set. */
export function collectingLogger(): CollectingLogger {
  const lines: string[] = [];
  const echo = process.env["PORTABLE_TEST_LOG"] !== undefined;
  const at = (level: string) => (message: string) => {
    lines.push(`${level} ${message}`);
    if (echo) process.stderr.write(`[test ${level}] ${message}\n`);
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** Entries of `dir` whose names contain one of `marks`. */
export async function filesMatching(dir: string, marks: readonly string[]): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => marks.some((m) => n.includes(m))).sort();
}

/** The pids of every "started pid N" line a logger kept. */
export function startedPids(lines: readonly string[]): number[] {
  return lines.flatMap((l) => {
    const m = /started pid (\d+)/.exec(l);
    return m ? [Number(m[1])] : [];
  });
}

/** A test's own socket folder and logger, fresh for each test (see `useRuntimeSandbox`). */
export interface RuntimeSandbox {
  readonly socketDir: string;
  readonly logger: CollectingLogger;
}

export interface RuntimeSandboxOptions {
  /** Ends what the test started (host, debug server, child): runs first after each test. */
  teardown: () => Promise<void>;
  /** The pids that must be gone after `teardown`; by default every pid the logger saw started. */
  pids?: (lines: readonly string[]) => Iterable<number>;
  /** Prefix of the per-test socket folder. */
  socketPrefix?: string;
}

/**
 * Registers the hooks that tests running plugin processes share: before each
 * test a fresh socket folder and logger; after it, `teardown`, then the checks
 * that no process is left running and no socket file is left in the folder.
 */
export function useRuntimeSandbox(options: RuntimeSandboxOptions): RuntimeSandbox {
  let current: RuntimeSandbox | undefined;
  const now = (): RuntimeSandbox => {
    if (current === undefined) throw new Error("the runtime sandbox is used outside a test");
    return current;
  };
  beforeEach(async () => {
    current = {
      socketDir: await tempDir(options.socketPrefix ?? "pp-sock-"),
      logger: collectingLogger(),
    };
  });
  afterEach(async () => {
    const { socketDir, logger } = now();
    try {
      await options.teardown();
      for (const pid of (options.pids ?? startedPids)(logger.lines)) {
        expect(pidAlive(pid), `pid ${pid} left running`).toBe(false);
      }
      expect(await filesMatching(socketDir, [".ipc"])).toEqual([]);
    } finally {
      current = undefined;
    }
  });
  return {
    get socketDir() {
      return now().socketDir;
    },
    get logger() {
      return now().logger;
    },
  };
}

/**
 * Kills plugin `name` of `host` with SIGKILL `times` times, each `everyMs`
 * after it last came back running with a new pid. Resolves with how long each
 * restart took, in ms.
 */
export async function killRepeatedly(
  host: PortableHost,
  name: string,
  times: number,
  everyMs = 700,
): Promise<number[]> {
  const recoveries: number[] = [];
  let pid = host.status(name)?.pid as number;
  for (let i = 0; i < times; i++) {
    await new Promise((r) => setTimeout(r, everyMs));
    process.kill(pid, "SIGKILL");
    const killedAt = Date.now();
    const old = pid;
    pid = await waitFor(
      `restart ${i + 1}`,
      () => {
        const s = host.status(name);
        return s?.status === "running" && s.pid !== undefined && s.pid !== old ? s.pid : undefined;
      },
      20_000,
      10,
    );
    recoveries.push(Date.now() - killedAt);
  }
  return recoveries;
}

/**
 * Kills process `pid` of plugin `name` with SIGKILL, waits until it is gone
 * and the host runs the plugin again in a new process; resolves with its pid.
 */
export async function killAndAwaitRestart(
  host: PortableHost,
  name: string,
  pid: number,
): Promise<number> {
  process.kill(pid, "SIGKILL");
  await waitFor("the plugin to exit", () => !pidAlive(pid));
  return waitFor("a new process", () => {
    const s = host.status(name);
    return s?.status === "running" && s.pid !== undefined && s.pid !== pid ? s.pid : undefined;
  });
}

/** The next `n` values of `it`, each within `timeoutMs`. */
export async function takeWithin<T>(
  it: AsyncIterator<T>,
  n: number,
  timeoutMs = 20_000,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < n; i++) out.push(await nextWithin(it, timeoutMs));
  return out;
}

/**
 * Takes a turn at a socket path that reference SDKs hard-code for every
 * plugin on the machine (`/tmp/func_echo.ipc` for any plugin defining
 * `echo`, `/tmp/plugin_mirror.ipc` for any copy of a mirror named `mirror`).
 * Test files of this package queue on a lock file beside it (`<path>.turn`
 * without `.ipc`, so that checks for left-over socket files do not see it;
 * it holds the owner's pid, and a dead owner's lock is taken over), then wait
 * until no other program serves the path. Resolves with the release.
 */
export async function claimSocketPath(
  path: string,
  timeoutMs = 240_000,
): Promise<() => Promise<void>> {
  const lock = `${path.replace(/\.ipc$/, "")}.turn`;
  await waitFor(
    `our turn at ${path} (lock ${lock})`,
    async () => {
      try {
        const f = await open(lock, "wx");
        await f.writeFile(String(process.pid));
        await f.close();
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      const owner = Number.parseInt(await readFile(lock, "utf8").catch(() => ""), 10);
      // A lock without a live owner (or half written, so without a pid yet: retry).
      if (Number.isSafeInteger(owner) && owner !== process.pid && !pidAlive(owner)) {
        await unlink(lock).catch(() => undefined);
      }
      return false;
    },
    timeoutMs,
    250,
  );
  const release = async () => {
    const owner = await readFile(lock, "utf8").catch(() => "");
    if (owner === String(process.pid)) await unlink(lock).catch(() => undefined);
  };
  try {
    const free = async () => !(await socketIsLive(path));
    await waitFor(`other programs to free ${path}`, free, timeoutMs, 250);
  } catch (err) {
    await release();
    throw err;
  }
  return release;
}
