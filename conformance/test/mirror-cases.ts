// The case ids a full run over a mirror plugin produces (source random, sink
// file, function echo, with profiles/mirror.yaml), shared by the tests over
// the TS, Python and Go mirrors: each spells out only its exceptions.

/** Every case id the full run produces for a mirror (source random, sink file, function echo). */
export const MIRROR_CASES = [
  "control/handshake",
  "control/unknown-symbol",
  "control/unknown-plugin-type",
  "control/malformed-command",
  "control/malformed-control",
  "control/unknown-command",
  "control/stop-unknown-instance",
  "control/empty-rule-id/random",
  "control/stop-without-meta",
  "function/validate/echo",
  "function/exec/echo",
  "function/is-aggregate/echo",
  "function/exec-without-context/echo",
  "function/exec-partial-context/echo",
  "function/unknown-call/echo",
  "function/undecodable-call/echo",
  "function/repeated-start/echo",
  "function/stop-is-noop/echo",
  "function/start-without-meta/echo",
  "keepalive/idle-control",
  "keepalive/idle-function/echo",
  "lifecycle/sigterm-clean-exit",
  "lifecycle/host-goes-away",
  "lifecycle/kill-and-replay/random",
  "lifecycle/kill-and-replay-sink/file",
  "lifecycle/kill-and-replay-function/echo",
  "lifecycle/no-leftover-sockets/file",
  "lifecycle/sigterm-closes-symbols/file",
  "sink/accepts-rows/file",
  "sink/acks-when-asked/file",
  "sink/no-ack-unless-asked/file",
  "sink/accepts-any-body/file",
  "source/emits-envelopes/random",
  "source/stops-after-stop/random",
  "source/instances/random",
  "profile/source/random/seed-1-repeats-the-pattern",
  "profile/source/random/seed-spreads-values",
  "profile/source/random/refuses-a-bad-interval",
  "profile/sink/file/writes-messages-as-lines",
  "profile/sink/file/writes-rows-as-lines",
  "profile/sink/file/acks-an-error-for-an-unwritable-path",
  "profile/function/echo/returns-its-argument",
  "profile/function/echo/validates-one-argument",
  "profile/function/echo/is-not-an-aggregate",
  "types/function-results/echo",
  "types/source-rows/random",
  "types/sink-rows/file",
];

/** The negotiation cases (scenarios/negotiation.yaml): once per subject, in the version-1 run. */
export const NEGOTIATION_CASES = [
  "negotiation/offer-1-2",
  "negotiation/offer-beyond-what-it-speaks",
  "negotiation/bad-offer-string",
  "negotiation/bad-offer-duplicates",
  "negotiation/offer-2-only",
  "negotiation/no-common-version",
];

/** The cases that need a plugin declaring version 2 (`requiresVersion: 2`): skipped for version-1 plugins. */
const NEEDS_V2 = ["negotiation/offer-2-only", "negotiation/no-common-version"];

/**
 * Every case id of a full run for a plugin declaring `versions` (§10.6): the
 * version-1 run's ids as they are, the negotiation cases, and for version 2
 * every non-negotiation case again as `v2/<id>`. `exceptions` by id; the rest pass.
 */
/** Cases that exchange version-1 function messages: not in a version-2 run (§10.6, §12.1). */
export const V1_FUNCTION_CASES = [
  "function/validate/echo",
  "function/exec/echo",
  "function/is-aggregate/echo",
  "function/exec-without-context/echo",
  "function/exec-partial-context/echo",
  "function/unknown-call/echo",
  "function/undecodable-call/echo",
  "function/repeated-start/echo",
  "function/stop-is-noop/echo",
  "function/start-without-meta/echo",
  "keepalive/idle-function/echo",
  "lifecycle/kill-and-replay-function/echo",
  "profile/function/echo/returns-its-argument",
  "profile/function/echo/validates-one-argument",
  "profile/function/echo/is-not-an-aggregate",
  "types/function-results/echo",
];

/**
 * The version-2 cases (`fromVersion: 2`: function-v2.yaml, source-v2.yaml and
 * the profile's batch cases, the `sink/v2-*` cases of sink.yaml), without their `v2/` prefix: they run in the
 * version-2 run only, and are one "does not apply" skip each for a plugin
 * that declares version 1 alone.
 */
export const V2_ONLY_CASES = [
  "function/batch-exec/echo",
  "function/batch-mixed-kinds/echo",
  "function/batch-same-context/echo",
  "function/batch-json-form/echo",
  "function/batch-at-limit/echo",
  "function/batch-over-limit/echo",
  "function/batch-duplicate-id/echo",
  "function/batch-unknown-call-kind/echo",
  "function/v1-body-on-v2-channel/echo",
  "source/v2-rows/random",
  "source/v2-flow-control/random",
  "profile/function/echo/batch-echoes-each-argument",
  "profile/function/echo/batch-per-call-failure",
  "sink/v2-rows-with-seq/file",
  "sink/v2-cumulative-acks/file",
  "sink/v2-raw-acked/file",
];

export function expected(
  exceptions: Record<string, string>,
  versions: readonly number[] = [1],
): Record<string, string> {
  const v2 = versions.includes(2);
  const ids = [
    ...MIRROR_CASES,
    ...NEGOTIATION_CASES,
    ...(v2
      ? MIRROR_CASES.filter((id) => !V1_FUNCTION_CASES.includes(id)).map((id) => `v2/${id}`)
      : []),
    ...V2_ONLY_CASES.map((id) => `v2/${id}`),
  ];
  const skipped = (id: string) =>
    !v2 && (NEEDS_V2.includes(id) || V2_ONLY_CASES.some((c) => id === `v2/${c}`));
  const verdict = (id: string) => exceptions[id] ?? (skipped(id) ? "skip" : "pass");
  return Object.fromEntries(ids.map((id) => [id, verdict(id)]));
}
