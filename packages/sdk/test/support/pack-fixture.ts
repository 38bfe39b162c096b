// The packme plugin (test/fixtures/packme) copied into a fresh folder for each test of
// portable-pack, its SDK import pointed back at this package's sources; removed after the test.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";

const fixture = fileURLToPath(new URL("../fixtures/packme/", import.meta.url));

export interface PackFixture {
  /** The plugin folder, `<work>/packme`. */
  readonly dir: string;
  /** The test's scratch folder, for outputs beside the plugin. */
  readonly work: string;
}

/** Registers the clean-up; the returned function copies the fixture (once per test). */
export function packFixture(prefix: string): () => PackFixture {
  let work: string | undefined;
  afterEach(() => {
    if (work !== undefined) rmSync(work, { recursive: true, force: true });
    work = undefined;
  });
  return () => {
    work = mkdtempSync(join(tmpdir(), prefix));
    const dir = join(work, "packme");
    cpSync(fixture, dir, { recursive: true });
    // The copy imports the SDK by a relative path: point it back at this package's sources.
    const main = join(dir, "main.ts");
    writeFileSync(
      main,
      readFileSync(main, "utf8").replace(
        "../../../src/index.js",
        fileURLToPath(new URL("../../src/index.ts", import.meta.url)),
      ),
    );
    return { dir, work };
  };
}
