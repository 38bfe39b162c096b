// The package format as the host exposes it: the failures of
// @portable-plugins/package come out as HostErrors with the same code,
// message and context, so callers that switch on HostError codes (REST, the
// CLI, embedders using the exported extractZip) see what they always saw.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { extractZip } from "../src/index.js";
import { checkPackage, copyFolder } from "../src/install/package-format.js";
import { fakePlugin, tempDir, writeFolder } from "./helpers.js";

describe("package format errors in the host", () => {
  it("a corrupt archive is a HostError PORTABLE_E_ZIP", async () => {
    const root = await tempDir();
    await writeFile(join(root, "bad.zip"), "PK this is not a zip");
    await mkdir(join(root, "dest"));
    const err = await extractZip(join(root, "bad.zip"), join(root, "dest")).catch((e) => e);
    expect(HostError.is(err, "PORTABLE_E_ZIP"), String(err)).toBe(true);
    expect((err as HostError).message).toMatch(/corrupt or unreadable zip archive/);
  });

  it("a folder over the limits is a HostError PORTABLE_E_ZIP_LIMIT naming the entry", async () => {
    const root = await tempDir();
    const src = await writeFolder(join(root, "src"), { ...fakePlugin(), big: Buffer.alloc(2048) });
    await mkdir(join(root, "dest"));
    const limits = { maxEntryBytes: 1024, maxTotalBytes: 1 << 20, maxEntries: 100 };
    const err = await copyFolder(src, join(root, "dest"), limits).catch((e) => e);
    expect(HostError.is(err, "PORTABLE_E_ZIP_LIMIT"), String(err)).toBe(true);
    expect(err).toMatchObject({ path: "big" });
  });

  it("an invalid manifest is a HostError PORTABLE_E_MANIFEST with plugin, path and field", async () => {
    const root = await tempDir();
    const dir = await writeFolder(join(root, "mirror"), fakePlugin({ language: "rust" }));
    const err = await checkPackage(dir, "mirror").catch((e) => e);
    expect(HostError.is(err, "PORTABLE_E_MANIFEST"), String(err)).toBe(true);
    expect(err).toMatchObject({ plugin: "mirror", path: "mirror.json", field: "language" });
  });
});
