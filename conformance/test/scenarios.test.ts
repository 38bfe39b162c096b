// The data of the suite: every shipped scenario and profile file is valid,
// the schema refuses what the runner could not run, known-failures files
// need a reason per entry, and globs select cases as documented.

import { readdirSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadFeatures, loadProfile, parseKnownFailures, SCENARIO_DIR } from "../src/index.js";
import { globToRegExp, matchesGlob } from "../src/scenario/glob.js";
import { loadKnownFailures } from "../src/scenario/known-failures.js";
import { KNOWN_DIR, MIRROR_PROFILE, PYTHON_KNOWN, TS_KNOWN } from "./paths.js";

const KNOWN_FAILURE_FILES = readdirSync(KNOWN_DIR).map((f) => join(KNOWN_DIR, f));

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "conformance-scenarios-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeFeature(text: string): Promise<string> {
  const sub = await mkdtemp(join(dir, "f-"));
  await writeFile(join(sub, "x.yaml"), text);
  return sub;
}

describe("shipped scenario files", () => {
  it("are all valid and cite the spec section they check", async () => {
    const features = await loadFeatures();
    const files = (await readdir(SCENARIO_DIR)).filter((f) => f.endsWith(".yaml"));
    expect(features.map((f) => f.feature).sort()).toEqual(
      files.map((f) => f.replace(".yaml", "")).sort(),
    );
    for (const f of features) {
      for (const c of f.cases) {
        // A version's file of a feature (function-v2.yaml) names its cases after the feature.
        expect(c.name.startsWith(`${f.feature.replace(/-v\d+$/, "")}/`), c.name).toBe(true);
        expect(c.spec).toMatch(/§\d/);
      }
    }
  });

  it("cover the protocol-level cases of the brief", async () => {
    const names = (await loadFeatures()).flatMap((f) => f.cases.map((c) => c.name));
    for (const n of [
      "control/handshake",
      "control/unknown-symbol",
      "control/malformed-command",
      "control/unknown-plugin-type",
      "source/emits-envelopes",
      "source/stops-after-stop",
      "source/instances",
      "sink/accepts-rows",
      "sink/acks-when-asked",
      "sink/no-ack-unless-asked",
      "function/validate",
      "function/exec",
      "function/is-aggregate",
      "keepalive/idle-control",
      "keepalive/idle-function",
      "lifecycle/kill-and-replay",
      "lifecycle/sigterm-clean-exit",
      "lifecycle/host-goes-away",
      "lifecycle/no-leftover-sockets",
    ]) {
      expect(names).toContain(n);
    }
  });

  it("the mirror profile and the known-failures files are valid", async () => {
    const profile = await loadProfile(MIRROR_PROFILE);
    expect(Object.keys(profile.sources ?? {})).toEqual(["random"]);
    expect((await loadKnownFailures(PYTHON_KNOWN)).map((k) => k.pattern)).toEqual([
      "control/unknown-command",
    ]);
    // The TS SDK has none left: the suite's first run found three, since fixed.
    expect(await loadKnownFailures(TS_KNOWN)).toEqual([]);
  });
});

describe("the scenario schema", () => {
  const head =
    "feature: x\ndescription: d\ncases:\n  - name: x/y\n    spec: §1\n    description: d\n    steps:\n";

  it("accepts a minimal case", async () => {
    const features = await loadFeatures(await writeFeature(`${head}      - expectHandshake: {}\n`));
    expect(features[0]?.cases[0]?.name).toBe("x/y");
  });

  it("refuses an unknown step", async () => {
    await expect(loadFeatures(await writeFeature(`${head}      - teleport: {}\n`))).rejects.toThrow(
      /x\.yaml: .*must/,
    );
  });

  it("refuses an unknown parameter, naming it", async () => {
    await expect(
      loadFeatures(await writeFeature(`${head}      - expectAck: { okay: true }\n`)),
    ).rejects.toThrow(/okay/);
  });

  it("refuses a step missing a required parameter", async () => {
    await expect(loadFeatures(await writeFeature(`${head}      - idle: {}\n`))).rejects.toThrow(
      /ms/,
    );
  });

  it("refuses a case without a spec section", async () => {
    await expect(
      loadFeatures(
        await writeFeature(head.replace("§1", "none") + "      - expectHandshake: {}\n"),
      ),
    ).rejects.toThrow(/spec/);
  });
});

describe("known-failures files", () => {
  it("take the comment lines above an entry as its reason", () => {
    const list = parseKnownFailures("# one\n# two\na/b\n\n# three\nc/**\n", "k.txt");
    expect(list).toEqual([
      { pattern: "a/b", reason: "one two", file: "k.txt", line: 3 },
      { pattern: "c/**", reason: "three", file: "k.txt", line: 6 },
    ]);
  });

  it("refuse an entry without a reason", () => {
    expect(() => parseKnownFailures("# reason\na/b\n\nc/d\n", "k.txt")).toThrow(
      /k\.txt:4: known failure "c\/d" has no "# reason" line/,
    );
  });

  it("never carry a reason over to the next entry", () => {
    // Two entries under one comment: the second has no reason of its own.
    expect(() => parseKnownFailures("# only for a/b\na/b\nc/d\n", "k.txt")).toThrow(
      /k\.txt:3: known failure "c\/d" has no "# reason" line of its own/,
    );
  });

  it("drop a header separated by a blank line: it is no entry's reason", () => {
    expect(() => parseKnownFailures("# file header\n\na/b\n", "k.txt")).toThrow(
      /k\.txt:3: known failure "a\/b"/,
    );
    expect(parseKnownFailures("# header\n\n# why\na/b\n", "k.txt")).toEqual([
      { pattern: "a/b", reason: "why", file: "k.txt", line: 4 },
    ]);
  });

  it("the shipped lists give every entry its own reason", async () => {
    for (const f of KNOWN_FAILURE_FILES) {
      const list = await loadKnownFailures(f);
      for (const k of list) expect(k.reason, `${f}:${k.line}`).not.toBe("");
    }
  });
});

describe("globs over case ids", () => {
  it("* stays within a segment, ** crosses segments", () => {
    expect(globToRegExp("sink/*").test("sink/acks-when-asked")).toBe(true);
    expect(globToRegExp("sink/*").test("sink/acks-when-asked/file")).toBe(false);
    expect(globToRegExp("sink/**").test("sink/acks-when-asked/file")).toBe(true);
  });

  it("a case name matches every symbol's run of it", () => {
    expect(
      matchesGlob("sink/acks-when-asked", "sink/acks-when-asked/file", "sink/acks-when-asked"),
    ).toBe(true);
    expect(
      matchesGlob(
        "sink/acks-when-asked/other",
        "sink/acks-when-asked/file",
        "sink/acks-when-asked",
      ),
    ).toBe(false);
  });
});
