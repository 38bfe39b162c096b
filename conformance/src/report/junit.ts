// JUnit XML, one <testsuite> per plugin: fail and XPASS are <failure>,
// harness errors <error>, skips and expected failures <skipped>; warnings
// pass with their reasons in <system-out>. Each suite's properties carry the
// seed of the property cases' generated inputs.

import { formatTranscript } from "../driver/transcript.js";
import type { SuiteReport } from "../runner/run-suite.js";

/** XML 1.0 cannot carry most control characters, even escaped: drop them. */
function xmlText(s: string): string {
  let out = "";
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c >= 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) out += ch;
  }
  return out;
}

const esc = (s: string) =>
  xmlText(s)
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");

export function toJunit(report: SuiteReport): string {
  const out = ['<?xml version="1.0" encoding="UTF-8"?>', "<testsuites>"];
  for (const p of report.plugins) {
    const rs = p.results;
    const failures = rs.filter((r) => r.verdict === "fail" || r.verdict === "xpass").length;
    const errors = rs.filter((r) => r.verdict === "error").length + (p.error ? 1 : 0);
    const skipped = rs.filter((r) => r.verdict === "skip" || r.verdict === "xfail").length;
    const time = rs.reduce((t, r) => t + r.durationMs, 0) / 1000;
    out.push(
      `  <testsuite name="${esc(p.label)}" tests="${rs.length + (p.error ? 1 : 0)}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time}">`,
    );
    // The seed the property cases (types/*) generated their inputs from: re-run with --seed.
    if (report.seed !== undefined) {
      out.push(`    <properties><property name="seed" value="${report.seed}"/></properties>`);
    }
    if (p.error) {
      out.push(
        `    <testcase classname="harness" name="load ${esc(p.label)}"><error message="${esc(p.error)}"/></testcase>`,
      );
    }
    for (const r of rs) {
      const head = `    <testcase classname="${esc(r.feature)}" name="${esc(r.id)}" time="${r.durationMs / 1000}">`;
      const reasons = r.reasons.join("\n");
      const body = `${reasons}\n\n${formatTranscript(r.transcript, "")}\n${r.output.join("\n")}`;
      let inner = "";
      if (r.verdict === "fail")
        inner = `<failure message="${esc(r.reasons[0] ?? "failed")}">${esc(body)}</failure>`;
      else if (r.verdict === "xpass")
        inner = `<failure message="passed but listed as a known failure (${esc(r.knownFailure?.file ?? "")}:${r.knownFailure?.line}): remove it from the list"/>`;
      else if (r.verdict === "error")
        inner = `<error message="${esc(r.reasons[0] ?? "harness error")}">${esc(body)}</error>`;
      else if (r.verdict === "skip") inner = `<skipped message="${esc(reasons)}"/>`;
      else if (r.verdict === "xfail")
        inner = `<skipped message="expected failure: ${esc(r.knownFailure?.reason ?? "")}">${esc(body)}</skipped>`;
      else if (r.verdict === "warn")
        inner = `<system-out>${esc(`warning: ${reasons}`)}</system-out>`;
      out.push(`${head}${inner}</testcase>`);
    }
    out.push("  </testsuite>");
  }
  out.push("</testsuites>", "");
  return out.join("\n");
}
