// How verdicts read in the terminal and in tables.

import type { Verdict } from "../runner/result.js";

export const WORD: Readonly<Record<Verdict, string>> = {
  pass: "pass",
  warn: "warn",
  fail: "FAIL",
  skip: "skip",
  error: "ERROR",
  xfail: "xfail",
  xpass: "XPASS",
};

export const MARK: Readonly<Record<Verdict, string>> = {
  pass: "✓",
  warn: "!",
  fail: "✗",
  skip: "-",
  error: "E",
  xfail: "x",
  xpass: "✗",
};

/** Longer explanations of the verdicts, printed under the table. */
export const LEGEND =
  "pass: conforms · warn: works with the reference host, known quirk or SHOULD not met · FAIL: breaks the protocol · " +
  "xfail: fails as the known-failures list says · XPASS: listed as known failure but passed (remove it) · " +
  "skip: does not apply · ERROR: harness error (the suite could not run it)";
