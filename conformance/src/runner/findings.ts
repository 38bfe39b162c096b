// What a step concludes, and how quirks and severities turn a failure into a
// warning. A finding is about the PLUGIN; harness problems are thrown as
// ConformanceError instead and never become findings.

import type { Quirk, QuirkWhen, Severity, TextMatcher } from "../scenario/types.js";

export type FindingStatus = "pass" | "warn" | "fail";

export interface Finding {
  readonly status: FindingStatus;
  /** Why (for warn and fail): what was expected and what was seen. */
  readonly reason?: string;
}

export const PASS: Finding = { status: "pass" };

export function fail(reason: string): Finding {
  return { status: "fail", reason };
}

export function warn(reason: string): Finding {
  return { status: "warn", reason };
}

/** What a step saw, for quirk matching (`quirks[].when`). */
export interface Observation {
  readonly text?: string | undefined;
  readonly none?: boolean;
  readonly noAckConnection?: boolean;
  /** The plugin connected to the ack channel. */
  readonly ackConnected?: boolean;
  readonly resultNotString?: boolean;
  /** The subject's manifest language (quirks of one SDK apply to its language only). */
  readonly language?: string;
  readonly peers?: number;
}

/** Undefined when the text matches; else what is wrong with it. */
export function mismatch(m: TextMatcher, text: string): string | undefined {
  const t = JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);
  if (m.equals !== undefined && text !== m.equals) return `${t} is not ${JSON.stringify(m.equals)}`;
  if (m.startsWith !== undefined && !text.startsWith(m.startsWith))
    return `${t} does not start with ${JSON.stringify(m.startsWith)}`;
  if (m.notStartingWith !== undefined && text.startsWith(m.notStartingWith))
    return `${t} starts with ${JSON.stringify(m.notStartingWith)}`;
  if (m.contains !== undefined && !text.includes(m.contains))
    return `${t} does not contain ${JSON.stringify(m.contains)}`;
  if (m.matches !== undefined && !new RegExp(m.matches).test(text))
    return `${t} does not match /${m.matches}/`;
  return undefined;
}

function quirkMatches(when: QuirkWhen, o: Observation): boolean {
  if (when.none && !o.none) return false;
  if (when.noAckConnection && !o.noAckConnection) return false;
  if (when.ackConnected && !o.ackConnected) return false;
  if (when.language !== undefined && o.language !== when.language) return false;
  if (when.resultNotString && !o.resultNotString) return false;
  if (when.peersAbove !== undefined && !((o.peers ?? 0) > when.peersAbove)) return false;
  const textual =
    when.equals !== undefined ||
    when.startsWith !== undefined ||
    when.notStartingWith !== undefined ||
    when.contains !== undefined ||
    when.matches !== undefined;
  if (textual && (o.text === undefined || mismatch(when, o.text) !== undefined)) return false;
  return true;
}

/**
 * Applies the step's quirks (a matching quirk makes the step a warning with
 * the quirk's text, whether it passed or failed) and its severity (a failed
 * SHOULD is a warning).
 */
export function judge(
  finding: Finding,
  observation: Observation,
  opts: {
    readonly quirks?: readonly Quirk[] | undefined;
    readonly severity?: Severity | undefined;
  },
): Finding {
  for (const q of opts.quirks ?? []) {
    if (quirkMatches(q.when, observation)) {
      return warn(finding.status === "fail" ? `${q.warn} [${finding.reason}]` : q.warn);
    }
  }
  if (finding.status === "fail" && opts.severity === "should") {
    return warn(`SHOULD: ${finding.reason}`);
  }
  return finding;
}
