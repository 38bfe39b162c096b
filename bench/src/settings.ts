// How much the bench does: full (default) or quick (`--quick` or
// BENCH_QUICK=1: a few hundred iterations, for CI to prove it runs; its
// figures are not figures). Also the paths and names every scenario shares.
import { fileURLToPath } from "node:url";

export const QUICK = process.argv.includes("--quick") || process.env["BENCH_QUICK"] === "1";

export type Lang = "ts" | "python" | "go";
export const LANGS: readonly Lang[] = ["ts", "python", "go"];

export const SETTINGS = QUICK
  ? {
      runs: 2,
      execCalls: { raw: 300, ts: 300, python: 300, go: 300, goHost: 300 },
      ingestRows: { raw: 500, ts: 500, python: 500, go: 500 },
      sinkRows: { raw: 300, ts: 300, python: 300, go: 300 },
      sinkAckedRows: { raw: 200, ts: 200, python: 200, go: 200 },
      coldStarts: 2,
      memoryRuns: 1,
      floodSeconds: 5,
    }
  : {
      runs: 5,
      execCalls: { raw: 10_000, ts: 10_000, python: 5_000, go: 10_000, goHost: 10_000 },
      ingestRows: { raw: 200_000, ts: 200_000, python: 40_000, go: 100_000 },
      sinkRows: { raw: 100_000, ts: 50_000, python: 20_000, go: 50_000 },
      sinkAckedRows: { raw: 10_000, ts: 10_000, python: 4_000, go: 10_000 },
      coldStarts: 5,
      memoryRuns: 3,
      floodSeconds: 60,
    };

export const INGEST_SIZES = [100, 1024] as const;
export const MEMORY_INSTANCES = [1, 10, 100] as const;

export const BENCH_DIR = fileURLToPath(new URL("..", import.meta.url));
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const PYTHON = `${ROOT}.venv/bin/python`;
/** Where scripts/build-go.sh puts the Go bench plugin and the Go cold-start floor (git-ignored). */
export const GO_BUILD = `${BENCH_DIR}.build/go`;

/**
 * The bench function's name per language. eKuiper's SDKs key the function
 * channel by symbol alone (/tmp/func_<symbol>.ipc), so the Python and Go
 * plugins, whose hosts both use /tmp, need different names.
 */
export const FUNCTION_SYMBOL: Record<Lang, string> = {
  ts: "benchecho",
  python: "benchecho",
  go: "benchechogo",
};

const NAME_SUFFIX: Record<Lang, string> = { ts: "ts", python: "py", go: "go" };
/** A prefix for plugin names: `bench<role><lang>` (subject.unique adds pid and counter). */
export const namePrefix = (lang: Lang, role: "" | "cold" | "mem" = "") =>
  `bench${role}${NAME_SUFFIX[lang]}`;

export const sizeLabel = (size: number) => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`);
