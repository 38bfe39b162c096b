// The result of one case for one plugin, and how known failures turn a raw
// status into a verdict (connectrpc/conformance semantics).

import type { TranscriptEntry } from "../driver/transcript.js";
import type { KnownFailure } from "../scenario/known-failures.js";
import type { Kind } from "../scenario/types.js";

/** What the plugin did: pass, warn (a tolerated quirk), fail, skip, or a harness error. */
export type Status = "pass" | "warn" | "fail" | "skip" | "error";

/**
 * After known failures: `xfail` = failed as the list expects (does not fail
 * the run); `xpass` = listed but passed (fails the run: shrink the list).
 */
export type Verdict = Status | "xfail" | "xpass";

export interface CaseResult {
  /** `<case>` or `<case>/<symbol>`; what --only/--skip/known-failures match. */
  readonly id: string;
  readonly caseName: string;
  readonly feature: string;
  readonly kind?: Kind;
  readonly symbol?: string;
  readonly spec: string;
  readonly description: string;
  /** The subject as given on the command line. */
  readonly plugin: string;
  /** The protocol version of the run (§10.6): offered exactly [1..version]. */
  readonly version: number;
  readonly status: Status;
  readonly verdict: Verdict;
  /** Failures first, then warnings; for skip and error, why. */
  readonly reasons: readonly string[];
  readonly knownFailure?: KnownFailure;
  readonly transcript: readonly TranscriptEntry[];
  /** The last lines the plugin wrote on stdout/stderr. */
  readonly output: readonly string[];
  readonly durationMs: number;
}

export function verdictOf(status: Status, known: KnownFailure | undefined): Verdict {
  if (!known) return status;
  if (status === "fail") return "xfail";
  if (status === "pass" || status === "warn") return "xpass";
  return status;
}

/** True when the verdict makes the run fail. */
export function failsRun(v: Verdict): boolean {
  return v === "fail" || v === "xpass" || v === "error";
}
