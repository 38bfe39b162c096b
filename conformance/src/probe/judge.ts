// Judges what the host probe recorded (probe/events.ts) against what the
// host under test was set to offer: the start argument (§3.1, §10.2), the
// handshake the probe sent and whether the host went on (§10.4), the
// commands (§4.2.2), and every function-channel body being of the agreed
// version (§12.1: exactly version-1 bytes for a version-1 plugin). The
// findings become the suite's usual case results (probe/report.ts).

import { isValidVersionOffer, PROTOCOL_VERSIONS_KEY } from "@portable-plugins/protocol";
import type { Finding } from "../runner/findings.js";
import { fail, PASS } from "../runner/findings.js";
import { PROBE_FUNCTION, PROBE_SOURCE, type ProbeEvent, type ProbeMode } from "./events.js";

export interface HostExpectation {
  /** What the host was set to offer: [1] = version 2 off (no key at all). */
  readonly offers: readonly number[];
  readonly mode: ProbeMode;
}

export interface HostCheck {
  readonly name: string;
  readonly spec: string;
  readonly description: string;
  readonly finding: Finding;
}

/** The version the two sides should agree on (§10.3). */
export function agreedVersion(e: HostExpectation): number {
  if (!e.offers.some((v) => v > 1)) return 1;
  const common = e.mode.versions.filter((v) => e.offers.includes(v));
  return common.length > 0 ? Math.max(...common) : 1;
}

function argumentFinding(events: readonly ProbeEvent[], e: HostExpectation): Finding {
  const arg = events.find((x) => x.type === "argument");
  if (arg?.type !== "argument") return fail("the probe never ran (no start argument recorded)");
  if (arg.raw === null) return fail("the host started the probe without an argument (§3.1)");
  let config: unknown;
  try {
    config = JSON.parse(arg.raw);
  } catch {
    return fail(`the argument ${JSON.stringify(arg.raw)} is not JSON (§3.1)`);
  }
  if (typeof config !== "object" || config === null || Array.isArray(config))
    return fail(`the argument ${arg.raw} is not a JSON object (§3.1)`);
  const keys = Object.keys(config);
  const offer = (config as Record<string, unknown>)[PROTOCOL_VERSIONS_KEY];
  const offersV2 = e.offers.some((v) => v > 1);
  if (!offersV2) {
    return keys.includes(PROTOCOL_VERSIONS_KEY)
      ? fail(
          `a host with version 2 off wrote ${PROTOCOL_VERSIONS_KEY} in ${arg.raw} (§10.2, §12.7: MUST NOT)`,
        )
      : PASS;
  }
  if (!isValidVersionOffer(offer))
    return fail(`${PROTOCOL_VERSIONS_KEY} in ${arg.raw} is not a valid offer (§10.2)`);
  const sorted = [...offer].sort((a, b) => a - b);
  if (sorted.join() !== offer.join())
    return fail(`the offer ${JSON.stringify(offer)} is not ascending (§10.2)`);
  if (!offer.includes(1)) return fail(`the offer ${JSON.stringify(offer)} lacks 1 (§10.2)`);
  if (offer.join() !== e.offers.join())
    return fail(`the offer ${JSON.stringify(offer)} is not the host's ${JSON.stringify(e.offers)}`);
  return PASS;
}

function handshakeFinding(events: readonly ProbeEvent[], e: HostExpectation): Finding {
  const shake = events.find((x) => x.type === "handshake");
  if (shake?.type !== "handshake") return fail("the probe sent no handshake");
  const commands = events.filter((x) => x.type === "command");
  if (e.mode.announce !== undefined && !e.offers.includes(e.mode.announce)) {
    return commands.length === 0
      ? PASS
      : fail(
          `the host sent ${commands.length} command(s) after "${shake.text}", a version it did not offer (§10.4: a protocol error; the host kills the process)`,
        );
  }
  const want = agreedVersion(e);
  if (shake.version !== want)
    return fail(`the probe announced version ${shake.version}, expected ${want} (§10.3)`);
  if (commands.length === 0)
    return fail(
      `after "${shake.text}" the host sent no command (§10.4: it accepts the offered version)`,
    );
  return PASS;
}

function commandFinding(events: readonly ProbeEvent[]): Finding {
  const commands = events.flatMap((x) => (x.type === "command" ? [x] : []));
  const bad = commands.find((c) => c.error !== undefined);
  if (bad) return fail(`a command did not decode: ${bad.error} (§4.2.2)`);
  for (const [kind, symbol] of [
    ["func", PROBE_FUNCTION],
    ["source", PROBE_SOURCE],
  ] as const) {
    if (!commands.some((c) => c.cmd === "start" && c.kind === kind && c.symbol === symbol))
      return fail(`no start of ${kind} ${symbol} reached the probe (§4.2.2)`);
  }
  return PASS;
}

function functionFinding(events: readonly ProbeEvent[], e: HostExpectation): Finding {
  const bodies = events.flatMap((x) => (x.type === "function" ? [x] : []));
  if (bodies.length === 0) return fail(`no call reached ${PROBE_FUNCTION}`);
  const want = agreedVersion(e) >= 2 ? "v2" : "v1";
  const wrong = bodies.find((b) => b.form !== want);
  if (wrong)
    return fail(
      `a ${wrong.form === "undecodable" ? "body that does not decode" : `version-${wrong.form.slice(1)} body`} (${wrong.head}…${wrong.error ? `: ${wrong.error}` : ""}) on a channel agreed at version ${agreedVersion(e)} (§12.1${want === "v1" ? ", §12.7: exactly version-1 bytes" : ", §12.3"})`,
    );
  return PASS;
}

/** The probe-side checks; a driver adds what it saw on the host's side. */
export function judgeProbeEvents(events: readonly ProbeEvent[], e: HostExpectation): HostCheck[] {
  const checks: HostCheck[] = [
    {
      name: "host/start-argument",
      spec: "§3.1, §10.2, §12.7",
      description:
        "The start argument is a PortableConfig with protocolVersions exactly when the host offers version 2.",
      finding: argumentFinding(events, e),
    },
    {
      name: "host/handshake",
      spec: "§10.3, §10.4",
      description: "The probe announces the agreed version and the host goes on with commands.",
      finding: handshakeFinding(events, e),
    },
    {
      name: "host/commands",
      spec: "§4.2.2",
      description: "Every command decodes; the starts of the probe's function and source arrive.",
      finding: commandFinding(events),
    },
    {
      name: "host/function-bodies",
      spec: "§12.1, §12.3, §12.7",
      description:
        "Every function-channel body is of the agreed version: CallBatchV2 for version 2, FuncCall JSON for version 1.",
      finding: functionFinding(events, e),
    },
  ];
  // A rogue probe the host refused gets no commands: the other checks do not apply.
  return e.mode.announce !== undefined ? checks.slice(0, 2) : checks;
}
