// The human report: a progress line per case while running, then a table
// (scenario x symbol for one plugin, case x plugin for several), then, per
// case that is not a plain pass, its reasons and, for failures, the wire
// transcript and the plugin's last output lines.

import { formatTranscript } from "../driver/transcript.js";
import { describeVersions, type SubjectVersions } from "../runner/detect-versions.js";
import type { CaseResult, Verdict } from "../runner/result.js";
import type { SuiteReport } from "../runner/run-suite.js";
import { LEGEND, MARK, WORD } from "./symbols.js";

export function progressLine(r: CaseResult): string {
  const tail = r.verdict === "pass" ? "" : `  ${r.reasons[0] ?? ""}`;
  const short = tail.length > 140 ? `${tail.slice(0, 140)}…` : tail;
  return `  ${MARK[r.verdict]} ${WORD[r.verdict].padEnd(5)} ${r.id} (${r.durationMs} ms)${short}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [
    line(header),
    `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`,
    ...rows.map(line),
  ].join("\n");
}

/** One plugin: rows = scenarios, columns = symbols ("plugin" for plugin-level cases). */
function symbolTable(results: readonly CaseResult[]): string {
  const columns = ["plugin"];
  for (const r of results) {
    const col = r.symbol ?? "plugin";
    if (!columns.includes(col)) columns.push(col);
  }
  const rows = new Map<string, Map<string, Verdict>>();
  for (const r of results) {
    const row = rows.get(r.caseName) ?? new Map<string, Verdict>();
    row.set(r.symbol ?? "plugin", r.verdict);
    rows.set(r.caseName, row);
  }
  const used = columns.filter((c) => [...rows.values()].some((row) => row.has(c)));
  return table(
    ["scenario", ...used],
    [...rows].map(([name, row]) => [
      name,
      ...used.map((c) => (row.has(c) ? WORD[row.get(c) as Verdict] : "")),
    ]),
  );
}

/** Several plugins side by side: rows = case ids, columns = plugins. */
function pluginTable(report: SuiteReport): string {
  const ids: string[] = [];
  for (const p of report.plugins)
    for (const r of p.results) if (!ids.includes(r.id)) ids.push(r.id);
  return table(
    ["case", ...report.plugins.map((p) => p.label)],
    ids.map((id) => [
      id,
      ...report.plugins.map((p) => {
        const r = p.results.find((x) => x.id === id);
        return r ? WORD[r.verdict] : p.error ? "ERROR" : "";
      }),
    ]),
  );
}

function details(r: CaseResult, plugins: number): string {
  const who = plugins > 1 ? ` [${r.plugin}]` : "";
  if (r.verdict === "skip") return `skip ${r.id}${who}: ${r.reasons.join("; ")}`;
  const out = [`${WORD[r.verdict]} ${r.id}${who} (${r.spec})`, `  ${r.description.trim()}`];
  for (const reason of r.reasons) out.push(`  - ${reason}`);
  if (r.knownFailure) {
    out.push(
      `  known failure (${r.knownFailure.file}:${r.knownFailure.line}): ${r.knownFailure.reason}`,
    );
  }
  if (r.verdict === "fail" || r.verdict === "error" || r.verdict === "xfail") {
    if (r.transcript.length > 0) out.push("  wire transcript:", formatTranscript(r.transcript));
    if (r.output.length > 0)
      out.push("  plugin output (last lines):", ...r.output.map((l) => `    ${l}`));
  }
  return out.join("\n");
}

export function formatReport(report: SuiteReport): string {
  const parts: string[] = [];
  const all = report.plugins.flatMap((p) => p.results);
  for (const p of report.plugins) {
    if (p.error) parts.push(`HARNESS ERROR for ${p.label}: ${p.error}`);
  }
  if (report.plugins.length === 1 && report.plugins[0]) {
    const p = report.plugins[0];
    const versions = p.versions ? `, ${describeVersions(p.versions)}` : "";
    if (p.results.length > 0)
      parts.push(`${p.label} (plugin ${p.name}${versions}):\n${symbolTable(p.results)}`);
  } else if (all.length > 0) {
    const lines = report.plugins
      .filter((p) => p.versions)
      .map((p) => `${p.label}: ${describeVersions(p.versions as SubjectVersions)}`);
    if (lines.length > 0) parts.push(lines.join("\n"));
    parts.push(pluginTable(report));
  }
  parts.push(LEGEND);
  const order: Verdict[] = ["error", "fail", "xpass", "xfail", "warn"];
  for (const v of order) {
    for (const r of all.filter((x) => x.verdict === v))
      parts.push(details(r, report.plugins.length));
  }
  const skips = all
    .filter((x) => x.verdict === "skip")
    .map((r) => details(r, report.plugins.length));
  if (skips.length > 0) parts.push(skips.join("\n"));
  const counts = new Map<Verdict, number>();
  for (const r of all) counts.set(r.verdict, (counts.get(r.verdict) ?? 0) + 1);
  const summary = [...counts].map(([v, n]) => `${n} ${WORD[v]}`).join(", ");
  const typed = all.filter((r) => r.feature === "types" && r.verdict !== "skip").length;
  parts.push(
    `${report.ok ? "OK" : "NOT OK"}: ${all.length} case(s): ${summary || "none"}` +
      (typed > 0 ? `; property cases generated their inputs with --seed ${report.seed}` : "") +
      (report.harnessErrors ? " (harness errors: the suite could not run everything)" : ""),
  );
  return parts.join("\n\n");
}
