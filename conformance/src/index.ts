// @portable-plugins/conformance: the conformance suite for portable plugins.
// Most users run the `portable-conformance` CLI; this entry lets tests and
// tools run the suite programmatically and read the structured results.

export type { Timeouts } from "./driver/timeouts.js";
export { DEFAULT_TIMEOUTS } from "./driver/timeouts.js";
export type { TranscriptEntry } from "./driver/transcript.js";
export { formatTranscript } from "./driver/transcript.js";
export {
  CONFORMANCE_ERROR_CODES,
  ConformanceError,
  type ConformanceErrorCode,
} from "./errors.js";
export { toJunit } from "./report/junit.js";
export { formatReport, progressLine } from "./report/terminal.js";
export {
  describeVersions,
  type SubjectVersions,
} from "./runner/detect-versions.js";
export type { CaseResult, Status, Verdict } from "./runner/result.js";
export {
  DEFAULT_SEED,
  type PluginReport,
  runSuite,
  type SuiteOptions,
  type SuiteReport,
} from "./runner/run-suite.js";
export { type KnownFailure, parseKnownFailures } from "./scenario/known-failures.js";
export { loadFeatures, loadProfile, SCENARIO_DIR } from "./scenario/load.js";
export type { Feature, Profile, ScenarioCase, Step } from "./scenario/types.js";
