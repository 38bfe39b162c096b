// Host memory: RSS of a process that is only a host (memory-child.ts,
// bundled and run by plain node so neither tsx nor this bench is counted),
// with the plugin running and 0, 1, 10, 100 idle source instances open.
import { execFile } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import type { PluginFolders } from "../plugins.js";
import { bundle } from "../plugins.js";
import { BENCH_DIR, type Lang, namePrefix, PYTHON } from "../settings.js";
import { unique } from "../subject.js";

export interface MemoryStep {
  instances: number;
  hostRssMB: number;
  pluginRssMB?: number;
}

let childScript: Promise<string> | undefined;

export async function measureMemory(
  lang: Lang,
  work: string,
  folders: PluginFolders,
  counts: readonly number[],
): Promise<MemoryStep[]> {
  childScript ??= (async () => {
    // Inside the workspace, so that our packages, left as imports, resolve
    // from its node_modules.
    const out = join(BENCH_DIR, ".build", "memory-child.mjs");
    await bundle("src/scenarios/memory-child.ts", out, ["@portable-plugins/*"]);
    return out;
  })();
  const script = await childScript;
  const name = unique(namePrefix(lang, "mem"));
  const dir = await mkdtemp(join(work, "mem-"));
  const args = {
    lang,
    folder: await folders.stage(lang, name),
    name,
    dataDir: join(dir, "data"),
    ...(lang === "ts" ? { socketDir: join(dir, "sock") } : {}),
    ...(lang === "python" ? { pythonBin: PYTHON } : {}),
    // The Go SDK serves every source on instance 0's channel whatever the
    // start command's instanceId: its instances get a rule each instead.
    instancesAsRules: lang === "go",
    counts,
  };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["--expose-gc", script, JSON.stringify(args)],
    { timeout: 180_000, maxBuffer: 1 << 20 },
  );
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as MemoryStep);
}
