// Run by scenarios/flood.ts as its own process (bundled, plain node), so the
// RSS it samples is a host's and nothing else's: a PortableHost with the TS
// bench plugin (version 2), one source instance emitting rows as fast as the
// host takes them for `seconds`, a consumer draining every row. Samples the
// host's and the plugin's RSS once a second; prints one JSON line:
// {samples: [{s, hostRssMB, heapMB, pluginRssMB, rows}]} (RSS read first;
// heapMB: V8's heap in use after a forced full GC, what the host retains,
// which tells a leak from RSS the allocator keeps).
import { readFileSync } from "node:fs";
import { PortableHost } from "@portable-plugins/host";

interface Args {
  folder: string;
  name: string;
  dataDir: string;
  socketDir: string;
  seconds: number;
  size: number;
}

const args = JSON.parse(process.argv[2] ?? "{}") as Args;
const quiet = () => undefined;
const host = new PortableHost({
  dataDir: args.dataDir,
  socketDir: args.socketDir,
  logger: {
    debug: quiet,
    info: quiet,
    warn: (m) => process.stderr.write(`[host warn] ${m}\n`),
    error: (m) => process.stderr.write(`[host error] ${m}\n`),
  },
  env: (p) => ({ PORTABLE_PLUGIN_NAME: p.name, PORTABLE_LOG_LEVEL: "warn" }),
});
const MB = 1024 * 1024;
const gc = (globalThis as { gc?: () => void }).gc;

/** V8's heap in use after a full GC (run with --expose-gc): what the host retains. */
function retainedHeap(): number {
  gc?.();
  return process.memoryUsage().heapUsed / MB;
}

function rssOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : undefined;
}

try {
  await host.install(args.name, args.folder);
  // More rows than any run takes: the source never runs dry within `seconds`.
  const src = await host.source(
    "benchsource",
    { ruleId: `benchflood${process.pid}`, opId: "op1" },
    { config: { count: 1e12, size: args.size } },
  );
  let rows = 0;
  const samples: {
    s: number;
    hostRssMB: number;
    heapMB: number;
    pluginRssMB?: number;
    rows: number;
  }[] = [];
  const t0 = Date.now();
  const sample = () => {
    const plugin = rssOf(host.info(args.name)?.pid);
    samples.push({
      s: (Date.now() - t0) / 1000,
      hostRssMB: process.memoryUsage().rss / MB,
      heapMB: retainedHeap(),
      ...(plugin === undefined ? {} : { pluginRssMB: plugin }),
      rows,
    });
  };
  const timer = setInterval(sample, 1000);
  const stop = setTimeout(() => void src.close(), args.seconds * 1000);
  try {
    for await (const _ of src) rows++;
  } finally {
    clearInterval(timer);
    clearTimeout(stop);
  }
  sample();
  process.stdout.write(`${JSON.stringify({ samples })}\n`);
} finally {
  await host.close();
}
