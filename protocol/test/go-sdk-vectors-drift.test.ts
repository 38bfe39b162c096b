// Drift test of the captured go-sdk vectors: they are read off the wire from
// eKuiper's real Go SDK (tools/capture-go, which builds a probe plugin against
// both SDK versions it pins). Capturing again must give the committed bytes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { vectorsDir } from "./load-vectors.js";

const capture = fileURLToPath(new URL("../tools/capture-go/capture.sh", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "go-sdk-vectors-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function hasGo(): boolean {
  try {
    execFileSync("go", ["version"], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

const captured = readdirSync(join(vectorsDir, "go-sdk"))
  .filter((f) => f.endsWith(".json") && !f.endsWith(".reproduced.json"))
  .sort();

describe("go-sdk vectors", () => {
  const go = hasGo();
  it.runIf(go || process.env["CI"])(
    "are what the real Go SDK (both pinned versions) puts on the wire today",
    () => {
      expect(go, "the Go toolchain is not on PATH: the go-sdk vectors cannot be captured").toBe(
        true,
      );
      execFileSync(capture, [out], { stdio: "pipe", timeout: 300_000 });
      expect(readdirSync(out).sort()).toEqual(captured);
      for (const f of captured) {
        expect(readFileSync(join(out, f), "utf8"), `go-sdk/${f}`).toBe(
          readFileSync(join(vectorsDir, "go-sdk", f), "utf8"),
        );
      }
    },
    330_000,
  );

  it("are marked captured, each case naming the SDK versions that sent it", () => {
    expect(captured.length).toBeGreaterThan(0);
    for (const f of captured) {
      const file = JSON.parse(readFileSync(join(vectorsDir, "go-sdk", f), "utf8")) as {
        provenance: string;
        cases: { name: string; sdkVersions?: string[] }[];
      };
      expect(file.provenance, f).toBe("captured");
      for (const c of file.cases) {
        expect(c.sdkVersions?.length ?? 0, `${f} ${c.name}`).toBeGreaterThan(0);
      }
    }
  });
});
