// Known-failures files (as connectrpc/conformance's known_failing.txt): one
// glob pattern of case ids per line, each directly preceded by its own
// `# reason` line(s). A reason belongs to the one entry right below it: a
// blank line drops comment lines not yet used (a file header), and an entry
// uses up its reason, so the next entry needs its own. A case that matches
// and fails is an expected failure; one that matches and passes fails the
// run, so the list only ever shrinks.

import { readFile } from "node:fs/promises";
import { ConformanceError } from "../errors.js";
import { matchesGlob } from "./glob.js";

export interface KnownFailure {
  readonly pattern: string;
  readonly reason: string;
  readonly file: string;
  readonly line: number;
}

export function parseKnownFailures(text: string, file: string): KnownFailure[] {
  const entries: KnownFailure[] = [];
  let reason: string[] = [];
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "") {
      reason = [];
      continue;
    }
    if (line.startsWith("#")) {
      reason.push(line.replace(/^#+\s*/, ""));
      continue;
    }
    if (reason.length === 0) {
      throw new ConformanceError(
        "PORTABLE_E_CONF_SCENARIO",
        `${file}:${i + 1}: known failure "${line}" has no "# reason" line of its own directly above it (each entry needs one)`,
        { path: file },
      );
    }
    entries.push({ pattern: line, reason: reason.join(" "), file, line: i + 1 });
    reason = [];
  }
  return entries;
}

export async function loadKnownFailures(file: string): Promise<KnownFailure[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw ConformanceError.from(
      err,
      "PORTABLE_E_CONF_SCENARIO",
      `cannot read known failures ${file}`,
    );
  }
  return parseKnownFailures(text, file);
}

export function findKnownFailure(
  list: readonly KnownFailure[],
  id: string,
  caseName: string,
): KnownFailure | undefined {
  return list.find((k) => matchesGlob(k.pattern, id, caseName));
}
