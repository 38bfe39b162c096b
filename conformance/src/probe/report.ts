// Host checks as the suite's usual report: one PluginReport per run (the
// host's offer × the probe's mode), each check a CaseResult, so formatReport,
// toJunit and --json read them as they read a plugin's cases.

import type { CaseResult } from "../runner/result.js";
import type { PluginReport, SuiteReport } from "../runner/run-suite.js";
import type { HostCheck, HostExpectation } from "./judge.js";
import { agreedVersion } from "./judge.js";

/** "ours [1,2] × v2 probe": the host, its offer, the version the probe plays. */
export function runLabel(host: string, e: HostExpectation): string {
  const probe =
    e.mode.announce !== undefined
      ? `rogue probe (v=${e.mode.announce})`
      : `v${Math.max(...e.mode.versions)} probe`;
  return `${host} [${e.offers.join(",")}] × ${probe}`;
}

export function hostPluginReport(
  label: string,
  e: HostExpectation,
  checks: readonly HostCheck[],
  output: readonly string[] = [],
): PluginReport {
  const version = agreedVersion(e);
  const results = checks.map(
    (c): CaseResult => ({
      id: c.name,
      caseName: c.name,
      feature: "host",
      spec: c.spec,
      description: c.description,
      plugin: label,
      version,
      status: c.finding.status,
      verdict: c.finding.status,
      reasons: c.finding.reason ? [c.finding.reason] : [],
      transcript: [],
      output: c.finding.status === "pass" ? [] : [...output],
      durationMs: 0,
    }),
  );
  return {
    label,
    name: "probe",
    versions: { versions: e.mode.versions, source: "declared" },
    results,
  };
}

export function hostSuiteReport(plugins: readonly PluginReport[]): SuiteReport {
  const all = plugins.flatMap((p) => p.results);
  return {
    plugins,
    ok:
      plugins.every((p) => !p.error) &&
      all.every((r) => r.verdict === "pass" || r.verdict === "warn"),
    harnessErrors: plugins.some((p) => p.error !== undefined),
  };
}
