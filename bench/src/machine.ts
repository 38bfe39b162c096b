// What the figures were measured on: printed above the table and kept in
// results.json, since every number depends on it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { BENCH_DIR, PYTHON } from "./settings.js";

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"));
    if (m?.[1]) return m[1].trim();
  } catch {
    // not Linux: fall back to what Node says
  }
  return cpus()[0]?.model ?? "?";
}

function pythonVersion(): string {
  try {
    return execFileSync(PYTHON, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return "Python unavailable";
  }
}

/** `go1.26.8, Go SDK v0.0.0-…-0014e7fab0dd` (the toolchain and bench/plugins/go's pin). */
function goVersion(): string {
  let toolchain = "go unavailable";
  try {
    toolchain = execFileSync("go", ["env", "GOVERSION"], { encoding: "utf8" }).trim();
  } catch {
    // reported by the Go rows themselves
  }
  const mod = readFileSync(`${BENCH_DIR}plugins/go/go.mod`, "utf8");
  const sdk = /github\.com\/lf-edge\/ekuiper\/sdk\/go (\S+)/.exec(mod)?.[1] ?? "?";
  return `${toolchain}, Go SDK ${sdk}`;
}

export function machine() {
  const nproc = cpus().length;
  const model = cpuModel();
  return {
    date: new Date().toISOString(),
    nproc,
    cpuModel: model,
    cpus: `${nproc} x ${model}`,
    node: process.version,
    python: pythonVersion(),
    go: goVersion(),
    platform: `${process.platform} ${process.arch}`,
  };
}
