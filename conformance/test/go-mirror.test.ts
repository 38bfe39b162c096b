// The suite over the REAL Go SDK: examples/go-mirror built against eKuiper's
// newest Go SDK (0014e7fab0dd) and against the 2023 version eKuiper's example
// pins (a650d6d53ecb), with the mirror profile and known-failures/go-sdk.txt.
// Every case's verdict is spelled out, and the version-specific facts the
// suite and PROTOCOL.md state (acks Q5, function keepalive Q33, the panic on
// a stop without meta Q32, instance 0 for every instance Q48) are checked
// against the builds themselves. Without Go the file skips; in CI it fails.

import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Session } from "../src/driver/session.js";
import { DEFAULT_TIMEOUTS } from "../src/driver/timeouts.js";
import { Transcript } from "../src/driver/transcript.js";
import { formatReport, runSuite, type SuiteReport } from "../src/index.js";
import { launchCommand } from "../src/subject/launch.js";
import { loadSubject } from "../src/subject/load.js";
import { expected } from "./mirror-cases.js";
import { GO_KNOWN, GO_MIRROR_DIR, MIRROR_PROFILE, REPO } from "./paths.js";

function hasGo(): boolean {
  try {
    execFileSync("go", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const HAS_GO = hasGo();
if (process.env["CI"] && !HAS_GO) throw new Error("go is missing: the Go mirror cannot be built");

const BUILDS = {
  newest: { modfile: "go.mod", sdk: "0014e7f" },
  "2023": { modfile: "go.2023.mod", sdk: "a650d6d" },
} as const;
type Build = keyof typeof BUILDS;

let work: string;
const folders: Partial<Record<Build, string>> = {};

beforeAll(() => {
  if (!HAS_GO) return;
  work = mkdtempSync(join(tmpdir(), "conformance-go-"));
  for (const [name, b] of Object.entries(BUILDS) as [Build, (typeof BUILDS)[Build]][]) {
    const dir = join(work, name, "mirror");
    mkdirSync(dir, { recursive: true });
    for (const part of ["mirror.json", "sources", "sinks", "functions"]) {
      cpSync(join(GO_MIRROR_DIR, part), join(dir, part), { recursive: true });
    }
    execFileSync(
      "bash",
      [
        "-c",
        `source "${REPO}scripts/go-env.sh" && go build -modfile=${b.modfile} -o "${dir}/mirror" .`,
      ],
      { cwd: GO_MIRROR_DIR, stdio: ["ignore", "ignore", "inherit"] },
    );
    folders[name] = dir;
  }
}, 300_000);
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function byId(report: SuiteReport): Record<string, { verdict: string; reasons: string }> {
  const p = report.plugins[0];
  expect(p?.error).toBeUndefined();
  return Object.fromEntries(
    (p?.results ?? []).map((r) => [r.id, { verdict: r.verdict, reasons: r.reasons.join(" | ") }]),
  );
}

const ACK_CASES = [
  "sink/acks-when-asked/file",
  "sink/accepts-any-body/file",
  "lifecycle/kill-and-replay-sink/file",
];

describe.skipIf(!HAS_GO)("the Go mirror (eKuiper's Go SDK), both SDK versions", () => {
  for (const build of Object.keys(BUILDS) as Build[]) {
    it(`${build} SDK (${BUILDS[build].sdk}): conforms with its known quirks and two listed failures`, async () => {
      const report = await runSuite({
        subjects: [folders[build]!],
        profile: MIRROR_PROFILE,
        knownFailures: GO_KNOWN,
      });
      // Nothing declares its versions: its plain handshake to an offer of [1,2] says 1.
      expect(report.plugins[0]?.versions).toEqual({ versions: [1], source: "detected" });
      const got = byId(report);
      const verdicts = Object.fromEntries(Object.entries(got).map(([id, r]) => [id, r.verdict]));
      expect(verdicts, formatReport(report)).toEqual(
        expected({
          "control/stop-unknown-instance": "warn",
          "control/stop-without-meta": "xfail",
          "function/exec-partial-context/echo": "warn",
          "function/undecodable-call/echo": "warn",
          "function/stop-is-noop/echo": "warn",
          "keepalive/idle-control": "warn",
          // Q33: only the newest SDK keeps its function channel alive.
          "keepalive/idle-function/echo": build === "newest" ? "pass" : "warn",
          "lifecycle/host-goes-away": "warn",
          "lifecycle/sigterm-closes-symbols/file": "warn",
          "source/instances/random": "xfail",
          "profile/sink/file/acks-an-error-for-an-unwritable-path": "warn",
          // Q5: no acks, so the typed sink case checks only "takes rows, keeps running".
          "types/sink-rows/file": "warn",
          ...Object.fromEntries(ACK_CASES.map((id) => [id, "warn"])),
        }),
      );
      // Q5 by version: the warning names what this build does with the ack channel.
      const q5 =
        build === "newest"
          ? /Q5 \(Go SDK since 1bf084c.*\): dials the ack channel at the sink start but never sends an ack/
          : /Q5 \(Go SDK a650d6d, 2023\): never sends sink acks and never dials the ack channel/;
      for (const id of ACK_CASES) expect(got[id]?.reasons).toMatch(q5);
      // Replay proven by the row written after the restart: only the two ack steps warn.
      expect(got["lifecycle/kill-and-replay-sink/file"]?.reasons.split(" | ")).toEqual([
        expect.stringMatching(/^step 3 \(expectAck\): Q5/),
        expect.stringMatching(/^step 8 \(expectAck\): Q5/),
      ]);
      expect(got["control/stop-without-meta"]?.reasons).toMatch(
        /no answer: the plugin exit status 2 .*; the plugin crashed: panic: runtime error: invalid memory address or nil pointer dereference/,
      );
      expect(got["source/instances/random"]?.reasons).toMatch(
        /0 of 2 items .*rows of instance 1 arrived on instance 0's channel, the plugin ignores instanceId/,
      );
      expect(report.ok).toBe(true);
    });
  }

  it("replay of a sink that never acks is proven by its output file, and fails without it", async () => {
    // The same profile, but the output named is not where the sink writes.
    const wrong = join(work, "wrong-output.yaml");
    writeFileSync(
      wrong,
      readFileSync(MIRROR_PROFILE, "utf8").replace(
        /^(\s*output: ".*)\/out\.jsonl"/m,
        '$1/elsewhere.jsonl"',
      ),
    );
    const report = await runSuite({
      subjects: [folders.newest!],
      profile: wrong,
      only: ["lifecycle/kill-and-replay-sink"],
    });
    const r = report.plugins[0]?.results[0];
    expect(r?.verdict, formatReport(report)).toBe("fail");
    expect(r?.reasons.join(" | ")).toMatch(
      /step 9 \(expectDelivered\): \S+elsewhere\.jsonl after 5000 ms: \[\{"count":2\}\] not written/,
    );
  });

  it("a sink start with nobody on the ack path: the newest SDK refuses it, the 2023 SDK starts", async () => {
    const answers: Record<string, string | undefined> = {};
    for (const build of Object.keys(BUILDS) as Build[]) {
      const subject = await loadSubject(folders[build]!);
      const session = new Session({
        plugin: subject.name,
        launch: launchCommand(subject, { python: "python3", node: process.execPath }),
        ruleId: `goack${process.pid}`,
        timeouts: DEFAULT_TIMEOUTS,
        transcript: new Transcript(),
      });
      try {
        await session.open();
        expect(await session.awaitHandshake()).toBeUndefined();
        // The raw start: the session's own start would listen on the ack path first.
        const arg = JSON.stringify({
          symbolName: "file",
          meta: { ruleId: `goack${process.pid}`, opId: build, instanceId: 0 },
          pluginType: "sink",
          config: { path: join(work, `${build}.jsonl`) },
        });
        const o = await session.command(Buffer.from(JSON.stringify({ cmd: "start", arg })));
        answers[build] = o.answer;
      } finally {
        await session.teardown();
        await subject.dispose();
        // The Go SDK listened on the sink's data path and does not unlink it
        // when it exits (Q27): this test made the file, this test removes it.
        rmSync(`/tmp/goack${process.pid}_${build}_0.ipc`, { force: true });
      }
    }
    expect(answers["newest"]).toMatch(/^can't dial on push socket: /);
    expect(answers["2023"]).toBe("ok");
  });
});
