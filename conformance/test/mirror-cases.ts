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
];

export function expected(exceptions: Record<string, string>): Record<string, string> {
  return Object.fromEntries(MIRROR_CASES.map((id) => [id, exceptions[id] ?? "pass"]));
}
