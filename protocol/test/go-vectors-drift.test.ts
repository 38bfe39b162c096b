import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { vectorsDir } from "./load-vectors.js";

// The go-host vectors and the go-sdk/*.reproduced.json ones (the messages the
// real Go SDK cannot be made to send; the rest are captured, see
// go-sdk-vectors-drift.test.ts) are made by a Go program (tools/go-vectors,
// stdlib only) that encodes with Go's own encoding/json: running it again
// must give the committed bytes, so the vectors cannot drift from it.
const tool = fileURLToPath(new URL("../tools/go-vectors/", import.meta.url));
const out = mkdtempSync(join(tmpdir(), "go-vectors-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The files of `producer` that tools/go-vectors writes. */
const reproduced = (producer: string, files: string[]): string[] =>
  producer === "go-sdk" ? files.filter((f) => f.endsWith(".reproduced.json")) : files;

describe("go-host and reproduced go-sdk vectors", () => {
  it("are exactly what tools/go-vectors generates with Go's encoding/json", () => {
    execFileSync("go", ["run", ".", out], {
      cwd: tool,
      stdio: "pipe",
      env: { ...process.env, GOFLAGS: "-mod=mod", GOTOOLCHAIN: "local" },
    });
    for (const producer of ["go-host", "go-sdk"]) {
      const committed = reproduced(producer, readdirSync(join(vectorsDir, producer)).sort());
      expect(readdirSync(join(out, producer)).sort()).toEqual(committed);
      for (const f of committed) {
        expect(readFileSync(join(out, producer, f), "utf8"), `${producer}/${f}`).toBe(
          readFileSync(join(vectorsDir, producer, f), "utf8"),
        );
      }
    }
  }, 120_000);
});
