// What the figures were measured on: printed above the table and kept in
// results.json, since every number depends on it.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { PYTHON } from "./settings.js";

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
    platform: `${process.platform} ${process.arch}`,
  };
}
