// Run by scenarios/memory.ts as its own process (bundled, plain node,
// --expose-gc), so the RSS it reports is a host's and nothing else's: a
// PortableHost with one bench plugin, then 1, 10, 100 idle source instances
// open (for Go, 1, 10, 100 rules of one instance each: the Go SDK puts every
// instance of a rule on instance 0's channel). Prints one JSON line per step:
// {instances, hostRssMB, pluginRssMB}.
import { readFileSync } from "node:fs";
import { PortableHost, type SourceProxy } from "@portable-plugins/host";

interface Args {
  lang: "ts" | "python" | "go";
  folder: string;
  name: string;
  dataDir: string;
  socketDir?: string;
  pythonBin?: string;
  instancesAsRules: boolean;
  counts: number[];
}

const args = JSON.parse(process.argv[2] ?? "{}") as Args;
const quiet = () => undefined;
const host = new PortableHost({
  dataDir: args.dataDir,
  ...(args.socketDir ? { socketDir: args.socketDir } : {}),
  ...(args.pythonBin ? { pythonBin: args.pythonBin } : {}),
  logger: {
    debug: quiet,
    info: quiet,
    warn: (m) => process.stderr.write(`[host warn] ${m}\n`),
    error: (m) => process.stderr.write(`[host error] ${m}\n`),
  },
  env: (p) => ({ PORTABLE_PLUGIN_NAME: p.name, PORTABLE_LOG_LEVEL: "warn" }),
});

const gc = (globalThis as { gc?: () => void }).gc;
const MB = 1024 * 1024;

function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : undefined;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
  }
}

const report = async (instances: number) => {
  await settle();
  const line = {
    instances,
    hostRssMB: process.memoryUsage().rss / MB,
    pluginRssMB: rssOf(host.info(args.name)?.pid),
  };
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

const open: SourceProxy[] = [];
try {
  await host.install(args.name, args.folder);
  const plugin = host.registry.find(args.name);
  if (!plugin) throw new Error("not installed");
  await host.supervisor.managed(plugin).ensureRunning();
  await report(0);
  for (const target of args.counts) {
    while (open.length < target) {
      open.push(
        await host.source(
          "benchsource",
          args.instancesAsRules
            ? { ruleId: `benchmem${process.pid}r${open.length}`, opId: "op1", instanceId: 0 }
            : { ruleId: `benchmem${process.pid}`, opId: "op1", instanceId: open.length },
          { config: { count: 0 } },
        ),
      );
    }
    await report(target);
  }
} finally {
  await Promise.all(open.map((s) => s.close()));
  await host.close();
}
