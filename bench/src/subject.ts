// One language under test: a PortableHost with that language's bench plugin
// installed under a unique name. TypeScript plugins get a private socket
// folder; eKuiper's Python and Go SDKs hard-code /tmp, so their hosts use
// /tmp with rule ids and plugin names unique to this process.
import { mkdir, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { type HostLogger, PortableHost } from "@portable-plugins/host";
import type { PluginFolders } from "./plugins.js";
import { type Lang, namePrefix, PYTHON } from "./settings.js";

let seq = 0;
/** Unique per process and call: plugin names, rule ids. */
export const unique = (prefix: string) => `${prefix}${process.pid}x${++seq}`;

/** Warnings and errors only: a bench run prints its table, not the host's life. */
export const benchLogger: HostLogger = {
  debug() {},
  info() {},
  warn: (m) => process.stderr.write(`[host warn] ${m}\n`),
  error: (m) => process.stderr.write(`[host error] ${m}\n`),
};

export interface Subject {
  readonly lang: Lang;
  readonly host: PortableHost;
  /** The installed bench plugin. */
  readonly plugin: string;
  readonly folders: PluginFolders;
  /** Lines the bench sinks write when they see the end mark (counts of rows). */
  readonly notify: Notifier;
}

/** A host for `lang`'s plugins, its files under `dir`; `protocolVersions` as the host's option. */
export async function newHost(
  lang: Lang,
  dir: string,
  protocolVersions?: readonly number[],
): Promise<PortableHost> {
  await mkdir(dir, { recursive: true });
  return new PortableHost({
    ...(protocolVersions ? { protocolVersions } : {}),
    dataDir: join(dir, "data"),
    ...(lang === "ts" ? { socketDir: join(dir, "sock") } : {}),
    ...(lang === "python" ? { pythonBin: PYTHON } : {}),
    logger: benchLogger,
    ...(await profilingNode(dir)),
    env: (p) => ({ PORTABLE_PLUGIN_NAME: p.name, PORTABLE_LOG_LEVEL: "warn" }),
  });
}

/**
 * `v1`: a host offering only version 1 (§12.7), in its own folder, for the v1 rows beside v2.
 * `typed`: the plugin's function has a signature the host checks every call against (§6.4.1).
 */
export async function openSubject(
  lang: Lang,
  work: string,
  folders: PluginFolders,
  v1 = false,
  typed = false,
) {
  const dir = join(work, `${lang}${v1 ? "-v1" : ""}${typed ? "-typed" : ""}`);
  const host = await newHost(lang, dir, v1 ? [1] : undefined);
  const plugin = unique(namePrefix(lang));
  await host.install(plugin, await folders.stage(lang, plugin, typed));
  const notify = await Notifier.listen(join(dir, "notify.sock"));
  return { lang, host, plugin, folders, notify } satisfies Subject;
}

export async function closeSubject(s: Subject): Promise<void> {
  await s.host.close();
  await s.notify.close();
}

/** A Unix socket server that hands out the numbers written to it, one per line, in order. */
export class Notifier {
  readonly path: string;
  readonly #server: Server;
  readonly #lines: number[] = [];
  readonly #conns = new Set<Socket>();
  #waiter: ((n: number) => void) | undefined;

  private constructor(path: string, server: Server) {
    this.path = path;
    this.#server = server;
    server.on("connection", (s) => {
      this.#conns.add(s);
      s.on("close", () => this.#conns.delete(s));
      let rest = "";
      s.setEncoding("utf8");
      s.on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const p of parts) this.#push(Number(p));
      });
      s.on("error", () => undefined);
    });
  }

  static listen(path: string): Promise<Notifier> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(path, () => resolve(new Notifier(path, server)));
    });
  }

  #push(n: number): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    if (w) w(n);
    else this.#lines.push(n);
  }

  /** The next number, within `timeoutMs`. */
  next(timeoutMs: number): Promise<number> {
    const queued = this.#lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.#waiter = undefined;
        reject(new Error(`no count from the bench sink within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiter = (n) => {
        clearTimeout(t);
        resolve(n);
      };
    });
  }

  close(): Promise<void> {
    for (const s of this.#conns) s.destroy();
    return new Promise((r) => this.#server.close(() => r()));
  }
}

/**
 * With PORTABLE_PROFILE_DIR set, TypeScript plugins run under a `node
 * --cpu-prof` wrapper (NODE_OPTIONS refuses --cpu-prof) and leave their V8
 * CPU profiles there: how the plugin side of a hot path is profiled.
 */
async function profilingNode(dir: string): Promise<{ nodeBin?: string }> {
  const out = process.env["PORTABLE_PROFILE_DIR"];
  if (!out) return {};
  const nodeBin = join(dir, "node-cpu-prof.sh");
  const script = `#!/bin/sh\nexec ${process.execPath} --cpu-prof --cpu-prof-dir=${out} "$@"\n`;
  await writeFile(nodeBin, script, { mode: 0o755 });
  return { nodeBin };
}
