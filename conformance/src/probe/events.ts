// What the host probe (probe/main.ts) records of the host that started it:
// one JSON line per event in `probe-events.jsonl` beside its executable, so
// any host can run it (ours, eKuiper's) and the suite judges afterwards
// (probe/judge.ts). The probe's mode — which protocol versions it speaks —
// is `probe-mode.json` in the same folder: `{"versions":[1]}` plays a
// version-1 plugin (a reference SDK: never reads the offer), `[1,2]` a
// version-2 plugin (§10.3).

import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const PROBE_EVENTS_FILE = "probe-events.jsonl";
export const PROBE_MODE_FILE = "probe-mode.json";
/** The probe's plugin name and symbols (its manifest, probe/package.ts). */
export const PROBE_PLUGIN = "probe";
export const PROBE_FUNCTION = "probe_echo";
export const PROBE_SOURCE = "probe_rows";
/** An Exec whose first argument is this fails with a typed error (v2) or state false (v1). */
export const PROBE_FAIL_ARG = "probe:fail";

export interface ProbeMode {
  /** The versions the probe speaks: [1] or [1,2]. */
  readonly versions: readonly number[];
  /**
   * A rogue probe: it announces `handshake v=<announce>` whatever the host
   * offered, which a host must refuse when it did not offer it (§10.4).
   */
  readonly announce?: number;
}

export type ProbeEvent =
  /** The start argument, verbatim (§3.1, §10.2). */
  | { readonly type: "argument"; readonly raw: string | null }
  /** The version chosen and announced in every handshake (§10.3). */
  | { readonly type: "handshake"; readonly version: number; readonly text: string }
  /** A control command and what it was (decoded) or why it did not decode. */
  | {
      readonly type: "command";
      readonly cmd?: string;
      readonly kind?: string;
      readonly symbol?: string;
      readonly error?: string;
    }
  /**
   * A message from the host on the function channel: `form` is what the bytes
   * are (v1 FuncCall JSON, v2 CallBatchV2, neither), `calls` how many calls.
   */
  | {
      readonly type: "function";
      readonly form: "v1" | "v2" | "undecodable";
      readonly calls: number;
      readonly error?: string;
      readonly head: string;
    }
  /** The source sent `rows` rows numbered 1..rows in `messages` messages of version `version`. */
  | {
      readonly type: "source";
      readonly version: number;
      readonly rows: number;
      readonly messages: number;
    }
  /** Something the probe could not do (a socket, a decode), for people. */
  | { readonly type: "problem"; readonly text: string };

export function recordEvent(dir: string, event: ProbeEvent): void {
  appendFileSync(join(dir, PROBE_EVENTS_FILE), `${JSON.stringify({ at: Date.now(), ...event })}\n`);
}

export function readEvents(dir: string): ProbeEvent[] {
  let text: string;
  try {
    text = readFileSync(join(dir, PROBE_EVENTS_FILE), "utf8");
  } catch {
    return [];
  }
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as ProbeEvent);
}

export function readMode(dir: string): ProbeMode {
  const parsed = JSON.parse(readFileSync(join(dir, PROBE_MODE_FILE), "utf8")) as ProbeMode;
  const versions = parsed.versions.includes(2) ? [1, 2] : [1];
  return parsed.announce === undefined ? { versions } : { versions, announce: parsed.announce };
}
