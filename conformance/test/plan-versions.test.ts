// Which cases each version's run plans (§10.6): a `fromVersion: 2` case runs
// in the version-2 run only, as `v2/<id>`, and a plugin that declares version
// 1 alone gets it once, as a "does not apply" skip; the shipped v2 cases are
// planned that way for a manifest with one symbol of each kind (13 function and
// source cases, 3 sink cases).

import { describe, expect, it } from "vitest";
import { loadFeatures, loadProfile } from "../src/index.js";
import { planCases } from "../src/runner/plan.js";
import type { Subject } from "../src/subject/types.js";
import { MIRROR_PROFILE } from "./paths.js";

const subject = {
  name: "mirror",
  label: "mirror",
  dir: ".",
  manifest: {
    version: "v1",
    language: "go",
    executable: "mirror",
    sources: ["random"],
    sinks: ["file"],
    functions: ["echo"],
  },
  language: "go",
  executablePath: "mirror",
  sourceDefaults: {},
  schemas: { functions: new Map(), sources: new Map(), sinks: new Map() },
  dispose: async () => undefined,
} as unknown as Subject;

const V2_ONLY =
  /^v2\/(function\/(batch|v1-body)|source\/v2-|sink\/v2-|profile\/function\/echo\/batch)/;

describe("fromVersion cases (§10.6)", () => {
  it("run only in the version-2 run of a plugin declaring [1,2]", async () => {
    const features = await loadFeatures();
    const profile = await loadProfile(MIRROR_PROFILE);
    const v1 = planCases(subject, features, profile, {}, { version: 1, declared: [1, 2] });
    const v2 = planCases(subject, features, profile, {}, { version: 2, declared: [1, 2] });
    expect(v1.filter((p) => p.scenario.fromVersion !== undefined)).toEqual([]);
    const only = v2.filter((p) => p.scenario.fromVersion !== undefined);
    expect(only.length).toBe(16);
    for (const p of only) {
      expect(p.id, p.id).toMatch(V2_ONLY);
      expect(p.skip).toBeUndefined();
      expect(p.baseId).toBe(p.id.slice(3));
    }
  });

  it("are one 'does not apply' skip each for a plugin declaring [1]", async () => {
    const features = await loadFeatures();
    const profile = await loadProfile(MIRROR_PROFILE);
    const v1 = planCases(subject, features, profile, {}, { version: 1, declared: [1] });
    const only = v1.filter((p) => p.scenario.fromVersion !== undefined);
    expect(only.length).toBe(16);
    for (const p of only) {
      expect(p.id).toMatch(V2_ONLY);
      expect(p.version).toBe(1);
      expect(p.skip).toMatch(
        /^does not apply: the plugin declares protocol versions \[1\], the case speaks version 2/,
      );
    }
    // Everything else is as before: no other case is skipped for its version.
    expect(v1.filter((p) => p.skip?.startsWith("does not apply")).length).toBe(16);
  });
});
