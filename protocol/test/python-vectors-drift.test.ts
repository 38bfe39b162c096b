import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { vectorsDir } from "./load-vectors.js";

// The python-sdk vectors are captured off the wire from the real eKuiper
// Python SDK (tools/capture-python). Capturing again must give the committed
// bytes: the vectors stay true to the SDK version pinned in
// scripts/requirements-peers.txt.
const root = fileURLToPath(new URL("../../", import.meta.url));
const python = join(root, ".venv", "bin", "python");
const out = mkdtempSync(join(tmpdir(), "py-vectors-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("python-sdk vectors", () => {
  it.runIf(existsSync(python) || process.env["CI"])(
    "are what the real Python SDK puts on the wire today",
    () => {
      expect(existsSync(python), `${python} is missing: run scripts/setup-peers.sh`).toBe(true);
      execFileSync(python, [join(root, "protocol/tools/capture-python/capture.py"), out], {
        stdio: "pipe",
        timeout: 120_000,
      });
      const committed = readdirSync(join(vectorsDir, "python-sdk")).sort();
      expect(readdirSync(out).sort()).toEqual(committed);
      for (const f of committed) {
        expect(readFileSync(join(out, f), "utf8"), `python-sdk/${f}`).toBe(
          readFileSync(join(vectorsDir, "python-sdk", f), "utf8"),
        );
      }
    },
    150_000,
  );
});
