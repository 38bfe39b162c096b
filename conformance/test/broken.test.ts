// The broken-plugin corpus: each plugin in test/broken/plugins has exactly
// one flaw. A test fails if the suite lets that flaw pass: the targeted case
// must FAIL, with the reason that names the flaw.

import { describe, expect, it } from "vitest";
import { runSuite } from "../src/index.js";
import type { CaseResult } from "../src/runner/result.js";
import { BROKEN, HAS_PYTHON, PYTHON } from "./paths.js";

async function runBroken(plugin: string, only: readonly string[]): Promise<CaseResult[]> {
  const report = await runSuite({
    subjects: [`${BROKEN}${plugin}.json`],
    only,
    interpreters: { python: PYTHON },
    timeouts: { initMs: 3000 },
  });
  const p = report.plugins[0];
  expect(p?.error).toBeUndefined();
  expect(p?.results.length).toBeGreaterThan(0);
  return [...(p?.results ?? [])];
}

const corpus: readonly {
  plugin: string;
  flaw: string;
  only: string;
  id: string;
  reason: RegExp;
}[] = [
  {
    plugin: "brk_noshake",
    flaw: "never sends the handshake",
    only: "control/handshake",
    id: "control/handshake",
    reason: /no handshake: no request on the control channel within 3000 ms/,
  },
  {
    plugin: "brk_garbage",
    flaw: "answers a start with garbage",
    only: "source/emits-envelopes",
    id: "source/emits-envelopes/tick",
    reason: /start of source tick: expected the answer "ok", got "yes"/,
  },
  {
    plugin: "brk_hanswer",
    flaw: "starts its error answers with h",
    only: "control/unknown-symbol",
    id: "control/unknown-symbol",
    reason: /error answer "have symbol not found.*" starts with "h"/,
  },
  {
    plugin: "brk_badenvelope",
    flaw: "sends malformed source envelopes",
    only: "source/emits-envelopes",
    id: "source/emits-envelopes/tick",
    reason: /item 1 has no "message" key/,
  },
  {
    plugin: "brk_emitsafterstop",
    flaw: "keeps emitting after its stop",
    only: "source/stops-after-stop",
    id: "source/stops-after-stop/tick",
    reason: /item\(s\) within 2000 ms after the stop was answered: the source still emits/,
  },
  {
    plugin: "brk_crashonstop",
    flaw: "crashes on a stop",
    only: "source/stops-after-stop",
    id: "source/stops-after-stop/tick",
    reason: /stop of main: expected the answer "ok", got no answer \(the plugin exit status 3/,
  },
  {
    plugin: "brk_ignoresterm",
    flaw: "never exits on SIGTERM",
    only: "lifecycle/sigterm-clean-exit",
    id: "lifecycle/sigterm-clean-exit",
    reason: /expectExit\): still running 5000 ms later/,
  },
  {
    plugin: "brk_leaksocket",
    flaw: "leaks its sink socket file",
    only: "lifecycle/no-leftover-sockets",
    id: "lifecycle/no-leftover-sockets/drop",
    reason: /left behind: \/tmp\/conf\d+x\d+_main_0\.ipc/,
  },
  {
    plugin: "brk_badreply",
    flaw: "sends malformed function replies",
    only: "function/exec",
    id: "function/exec/brk_badreply_fn",
    reason: /is not a FuncReply .*FuncReply\.state: is missing/,
  },
  {
    plugin: "brk_noack",
    flaw: "never acks although asked (while connected to the ack channel)",
    only: "sink/acks-when-asked",
    id: "sink/acks-when-asked/drop",
    reason: /0 of 3 ack\(s\) within 5000 ms although the config has "requireAck": true/,
  },
  {
    plugin: "brk_raiseonstop",
    flaw: "dies of an uncaught exception on a stop (the failure names it)",
    only: "control/stop-without-meta",
    id: "control/stop-without-meta",
    reason:
      /no answer: the plugin exit status 1 .*; the plugin crashed: RuntimeError: deliberate crash on stop/,
  },
  {
    plugin: "brk_wrongtype",
    flaw: "declares a number result and returns a string from 10 up (shrunk to the smallest)",
    only: "types/function-results",
    id: "types/function-results/brk_wrongtype_fn",
    reason:
      /counter-example args \[10\] → \{state: true, result: "20"\}: result: expected number, got string "20" \(schema #\/type\) \(§6\.4\.1; seed 14, case seed -?\d+, 50 runs; re-run: --seed 14 --only 'types\/function-results\/brk_wrongtype_fn'\)/,
  },
  // A plugin that refuses every command: each negative case must catch it
  // through its closing good start (expectServes), not pass on the refusal.
  ...[
    "control/unknown-symbol",
    "control/unknown-plugin-type",
    "control/malformed-command",
    "control/malformed-control",
    "control/unknown-command",
    "control/empty-rule-id/tick",
    "control/stop-without-meta",
  ].map((id) => ({
    plugin: "brk_refuseall",
    flaw: "refuses every command, good ones too",
    only: id.replace("/tick", ""),
    id,
    reason: /expectServes\): afterwards a good start of source tick got "error: refused", not "ok"/,
  })),
];

describe.skipIf(!HAS_PYTHON)("the suite catches every broken plugin", () => {
  for (const b of corpus) {
    it(`fails ${b.id} for a plugin that ${b.flaw}`, async () => {
      const results = await runBroken(b.plugin, [b.only]);
      const r = results.find((x) => x.id === b.id);
      expect(r?.status, JSON.stringify(r?.reasons)).toBe("fail");
      expect(r?.verdict).toBe("fail");
      expect(r?.reasons.join("\n")).toMatch(b.reason);
      // A failure carries the wire transcript of what happened.
      expect(r?.transcript.some((e) => e.channel === "control")).toBe(true);
    });
  }

  it("passes the same cases for the plugin without a flaw (the baseline)", async () => {
    const results = await runBroken("brk_none", [...new Set(corpus.map((b) => b.only))]);
    expect(results.filter((r) => r.status !== "pass").map((r) => [r.id, r.reasons])).toEqual([]);
  });
});
