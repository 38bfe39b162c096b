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
  ];
  const verdict = (id: string) =>
    exceptions[id] ?? (!v2 && NEEDS_V2.includes(id) ? "skip" : "pass");
  return Object.fromEntries(ids.map((id) => [id, verdict(id)]));
}
