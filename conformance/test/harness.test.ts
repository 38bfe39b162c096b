// The runner's own contract: known failures (expected failure, unexpected
// pass), harness errors reported apart from the plugin's failures, and the
// refusal to run beside another host of the same plugin name.

import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RepSocket } from "@portable-plugins/nng";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSuite } from "../src/index.js";
import { BROKEN, HAS_PYTHON, PYTHON } from "./paths.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "conformance-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const baseline = `${BROKEN}brk_none.json`;

describe.skipIf(!HAS_PYTHON)("known failures", () => {
  it("reports a listed case that fails as an expected failure, and the run passes", async () => {
    const list = join(dir, "known.txt");
    await writeFile(list, "# the plugin never answers its handshake\ncontrol/handshake\n");
    const report = await runSuite({
      subjects: [`${BROKEN}brk_noshake.json`],
      only: ["control/handshake"],
      knownFailures: list,
      interpreters: { python: PYTHON },
      timeouts: { initMs: 1500 },
    });
    const r = report.plugins[0]?.results[0];
    expect(r?.status).toBe("fail");
    expect(r?.verdict).toBe("xfail");
    expect(r?.knownFailure?.reason).toBe("the plugin never answers its handshake");
    expect(report.ok).toBe(true);
  });

  it("reports a listed case that passes as an unexpected pass, which fails the run", async () => {
    const list = join(dir, "stale.txt");
    await writeFile(list, "# fixed long ago\ncontrol/**\n");
    const report = await runSuite({
      subjects: [baseline],
      only: ["control/handshake"],
      knownFailures: list,
      interpreters: { python: PYTHON },
    });
    expect(report.plugins[0]?.results[0]?.verdict).toBe("xpass");
    expect(report.ok).toBe(false);
    expect(report.harnessErrors).toBe(false);
  });
});

describe.skipIf(!HAS_PYTHON)("protocol versions (§10.6)", () => {
  it("runs the cases once per declared version; a plugin that declares 2 but never negotiates fails where it matters", async () => {
    // brk_none speaks version 1 only (it ignores the offer): declared [1,2] here, falsely.
    const report = await runSuite({
      subjects: [baseline],
      only: ["control/handshake", "negotiation/offer-1-2", "negotiation/bad-offer-string"],
      protocolVersions: [1, 2],
      interpreters: { python: PYTHON },
    });
    // Declared wins over what its handshake would say.
    expect(report.plugins[0]?.versions).toEqual({ versions: [1, 2], source: "declared" });
    const results = report.plugins[0]?.results ?? [];
    expect(Object.fromEntries(results.map((r) => [r.id, [r.version, r.verdict]]))).toEqual({
      "control/handshake": [1, "pass"],
      "negotiation/offer-1-2": [1, "fail"],
      "negotiation/bad-offer-string": [1, "pass"],
      // the run for version 2 offers [1,2]; the cases with their own argument run only once
      "v2/control/handshake": [2, "fail"],
    });
    const v2 = results.find((r) => r.id === "v2/control/handshake");
    expect(v2?.reasons.join(" ")).toMatch(
      /first request was "handshake", expected "handshake v=2"/,
    );
    // Declared as what it is, version 1, it passes all three.
    const honest = await runSuite({
      subjects: [baseline],
      only: ["control/handshake", "negotiation/offer-1-2", "negotiation/bad-offer-string"],
      interpreters: { python: PYTHON },
    });
    expect(honest.plugins[0]?.results.map((r) => r.verdict)).toEqual(["pass", "pass", "pass"]);
    // Undeclared, its plain handshake says version 1.
    expect(honest.plugins[0]?.versions).toEqual({ versions: [1], source: "detected" });
  });
});

describe("harness errors are reported apart", () => {
  it("a subject that does not exist", async () => {
    const report = await runSuite({ subjects: [join(dir, "nothing.zip")] });
    expect(report.plugins[0]?.error).toMatch(/no such file or folder.*PORTABLE_E_CONF_SUBJECT/);
    expect(report.harnessErrors).toBe(true);
    expect(report.ok).toBe(false);
  });

  it("a zip that cannot be unpacked", async () => {
    const zip = join(dir, "broken.zip");
    await writeFile(zip, "PK this is not a zip");
    const report = await runSuite({ subjects: [zip] });
    expect(report.plugins[0]?.error).toMatch(/cannot unpack/);
    expect(report.harnessErrors).toBe(true);
  });

  it("an interpreter that cannot be started: every case is a harness error, not a failure", async () => {
    const report = await runSuite({
      subjects: [baseline],
      only: ["control/handshake"],
      interpreters: { python: join(dir, "no-such-python") },
    });
    const r = report.plugins[0]?.results[0];
    expect(r?.status).toBe("error");
    expect(r?.reasons[0]).toMatch(/cannot start .*no-such-python.*PORTABLE_E_CONF_LAUNCH/);
    expect(report.harnessErrors).toBe(true);
    // Detection could not start it either: version 1, and the cases say why.
    expect(report.plugins[0]?.versions?.versions).toEqual([1]);
    expect(report.plugins[0]?.versions?.note).toMatch(/cannot start .*no-such-python/);
  });

  it("refuses to run while another host owns the plugin's control channel", async () => {
    const other = new RepSocket();
    await other.listen("ipc:///tmp/plugin_brk_none.ipc");
    try {
      const report = await runSuite({ subjects: [baseline], interpreters: { python: PYTHON } });
      expect(report.plugins[0]?.error).toMatch(
        /\/tmp\/plugin_brk_none\.ipc is live: another host is running a plugin named "brk_none".*PORTABLE_E_CONF_IN_USE/,
      );
      expect(report.plugins[0]?.results).toEqual([]);
    } finally {
      await other.close();
    }
  });
});

describe.skipIf(!HAS_PYTHON)("tolerated variants and SHOULDs", () => {
  it("a failing case whose orElse steps pass is a warning; a failed SHOULD is a warning", async () => {
    const scenarios = join(dir, "scenarios");
    await mkdir(scenarios);
    await writeFile(
      join(scenarios, "extra.yaml"),
      `feature: extra
description: cases that exercise the runner
cases:
  - name: extra/or-else
    spec: "§4.4"
    description: the main steps fail, the variant passes
    forEach: source
    orElse:
      warn: tolerated variant
      steps:
        - start: {}
        - expectSource: { count: 1, example: { n: 1 } }
    steps:
      - start: {}
      - expectSource: { count: 1, within: 2000, equals: { n: -1 } }
  - name: extra/should
    spec: "§5.2"
    description: no control keepalive within 10 ms
    steps:
      - idle: { ms: 10 }
      - expectKeepalive: { channel: control, severity: should }
`,
    );
    const report = await runSuite({
      subjects: [baseline],
      scenarioDir: scenarios,
      interpreters: { python: PYTHON },
    });
    const [orElse, should] = report.plugins[0]?.results ?? [];
    expect(orElse?.id).toBe("extra/or-else/tick");
    expect(orElse?.verdict).toBe("warn");
    expect(orElse?.reasons[0]).toMatch(
      /^tolerated variant \[step 2 \(expectSource\): item 1: message \{"n":1\}, expected \{"n":-1\}\]/,
    );
    expect(should?.verdict).toBe("warn");
    expect(should?.reasons[0]).toMatch(/^step 2 \(expectKeepalive\): SHOULD: 0 keepalive/);
    expect(report.ok).toBe(true);
  });
});
