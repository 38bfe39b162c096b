// The TypeScript mirror (examples/mirror), packed once per test file for the
// tests that run it under a host: the zip lives in a folder of its own (not
// tempDir's, which go after each test) and is removed after the file's tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { packPlugin } from "@portable-plugins/sdk/pack";
import { afterAll, beforeAll } from "vitest";

export const TS_MIRROR_DIR = fileURLToPath(new URL("../../../examples/mirror", import.meta.url));

/** Packs the mirror in the file's `beforeAll`; `zip()` is the package's path after that. */
export function usePackedTsMirror(prefix: string): { zip(): string } {
  let work = "";
  let zip = "";
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), prefix));
    ({ zip } = await packPlugin({
      dir: TS_MIRROR_DIR,
      entry: "src/main.ts",
      out: join(work, "mirror.zip"),
      language: "nodejs",
    }));
  }, 120_000);
  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });
  return { zip: () => zip };
}
