// Cold start: a plugin installed under a fresh name is started from nothing
// (the supervisor's ensureRunning: listen, spawn, handshake). `handshakeMs`
// is the host's own spawn-to-handshake figure; the rest of the total is the
// host's share (its code before the spawn and after the handshake bytes
// arrive). The floor is the interpreter starting and exiting with nothing to
// do (`node -e 0`, `python -c pass`; for Go, an empty Go program built
// beside the plugin): what any plugin process costs.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { PortableHost } from "@portable-plugins/host";
import { buildGo, type PluginFolders } from "../plugins.js";
import { type Lang, namePrefix, PYTHON } from "../settings.js";
import { unique } from "../subject.js";

export interface ColdStart {
  totalMs: number;
  handshakeMs: number;
  hostShareMs: number;
}

/**
 * Installs a copy of the bench plugin under a fresh name into `host` (one
 * without the main bench plugin: symbols are unique per host), starts it,
 * uninstalls it.
 */
export async function coldStart(
  lang: Lang,
  host: PortableHost,
  folders: PluginFolders,
): Promise<ColdStart> {
  const name = unique(namePrefix(lang, "cold"));
  await host.install(name, await folders.stage(lang, name));
  try {
    const plugin = host.registry.find(name);
    if (!plugin) throw new Error(`${name} is not installed`);
    const mp = host.supervisor.managed(plugin);
    const t = performance.now();
    await mp.ensureRunning();
    const totalMs = performance.now() - t;
    const handshakeMs = host.info(name)?.handshakeMs;
    if (handshakeMs === undefined) throw new Error("no handshakeMs after the start");
    return { totalMs, handshakeMs, hostShareMs: totalMs - handshakeMs };
  } finally {
    await host.uninstall(name);
  }
}

async function floorCommand(lang: Lang): Promise<[string, string[]]> {
  if (lang === "ts") return [process.execPath, ["-e", "0"]];
  if (lang === "python") return [PYTHON, ["-c", "pass"]];
  return [join(await buildGo(), "exit0"), []];
}

/** Spawn to exit of the bare interpreter (an empty program for Go), in ms. */
export async function processFloor(lang: Lang): Promise<number> {
  const [file, args] = await floorCommand(lang);
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(file, args, { stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve(performance.now() - t));
  });
}

const FLOOR_LABEL: Record<Lang, string> = {
  ts: "node -e 0",
  python: "python -c pass",
  go: "empty Go binary",
};
export const floorLabel = (lang: Lang) => FLOOR_LABEL[lang];
