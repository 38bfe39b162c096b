// The protocol versions a subject is run for (PROTOCOL.md §10.6): the ones
// declared (--versions, the profile's protocolVersions), else the ones its
// handshake announces. To learn them the suite starts the plugin once as a
// host offering every version it implements, reads the first control request
// and stops the process (SIGTERM, then SIGKILL): `handshake v=N` means
// [1..N], a plain `handshake` [1]. A plugin that does not handshake is run
// for [1], and the cases report why.

import { parseHandshake, SUPPORTED_PROTOCOL_VERSIONS } from "@portable-plugins/protocol";
import { Session } from "../driver/session.js";
import type { Timeouts } from "../driver/timeouts.js";
import { Transcript } from "../driver/transcript.js";
import { type Interpreters, launchCommand, offerUpTo } from "../subject/launch.js";
import type { Subject } from "../subject/types.js";

export interface SubjectVersions {
  /** The versions the cases run for, ascending. */
  readonly versions: readonly number[];
  /** Declared by the user or the profile, or learnt from the plugin's handshake. */
  readonly source: "declared" | "detected";
  /** Why detection fell back to [1], or what it clamped. */
  readonly note?: string;
}

/** "versions 1,2 (detected from its handshake)", as the report says it. */
export function describeVersions(v: SubjectVersions): string {
  const how = v.source === "declared" ? "declared" : "detected from its handshake";
  return `versions ${v.versions.join(",")} (${how}${v.note ? `: ${v.note}` : ""})`;
}

export async function detectVersions(
  subject: Subject,
  interpreters: Interpreters,
  timeouts: Timeouts,
): Promise<SubjectVersions> {
  const max = Math.max(...SUPPORTED_PROTOCOL_VERSIONS);
  const session = new Session({
    plugin: subject.name,
    launch: launchCommand(subject, interpreters, offerUpTo(max)),
    ruleId: "detect-versions",
    timeouts,
    transcript: new Transcript(),
  });
  try {
    await session.open();
    const missing = await session.awaitHandshake();
    const first = session.handshake;
    if (missing || first === undefined) {
      return fallback(`no handshake: ${missing ?? "no first request"}`);
    }
    const announced = parseHandshake(first);
    if (announced === undefined) {
      return fallback(`first request ${JSON.stringify(first.toString("utf8"))} is no handshake`);
    }
    if (announced > max) {
      return {
        versions: offerUpTo(max),
        source: "detected",
        note: `it announced v=${announced}, beyond the offer [${offerUpTo(max).join(",")}]`,
      };
    }
    return { versions: offerUpTo(Math.max(1, announced)), source: "detected" };
  } catch (err) {
    return fallback(err instanceof Error ? err.message : String(err));
  } finally {
    await session.teardown();
  }
}

function fallback(why: string): SubjectVersions {
  return { versions: [1], source: "detected", note: why };
}
