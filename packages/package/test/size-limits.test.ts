// Size limits are checked before anything is written: an archive from the
// sizes its central directory declares, a folder by measuring it first. The
// destination of a refused package stays empty (not even a folder is made).

import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PackageError } from "../src/errors.js";
import { copyFolder } from "../src/folder-copy.js";
import { DEFAULT_LIMITS, extractZip } from "../src/unzip.js";
import { buildZip, fakePlugin, patchDeclaredSize, tempDir, writeFolder } from "./fixtures.js";

const MiB = 1024 * 1024;
const small = { maxEntryBytes: MiB, maxTotalBytes: 2 * MiB, maxEntries: 100 };
/** Three files that each pass the entry limit and together break the total one. */
const threeBig = {
  "data/a": Buffer.alloc(0.9 * MiB, 1),
  "data/b": Buffer.alloc(0.9 * MiB, 2),
  "data/c": Buffer.alloc(0.9 * MiB, 3),
};

async function refused(p: Promise<void>): Promise<PackageError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(PackageError.is(err, "PORTABLE_E_ZIP_LIMIT"), String(err)).toBe(true);
  return err as PackageError;
}

describe("size limits before writing", () => {
  it("refuses an archive whose entries declare more than the total, having written nothing", async () => {
    const root = await tempDir();
    const zip = join(root, "big.zip");
    await writeFile(zip, await buildZip({ ...threeBig, ...fakePlugin() }));
    const dest = join(root, "dest");
    await mkdir(dest);
    const err = await refused(extractZip(zip, dest, small));
    expect(err.message).toMatch(/archive declares.* more than 2097152/);
    expect(await readdir(dest)).toEqual([]);
  });

  it("refuses 3 entries declaring 200 MiB each under the default limits from the central directory alone", async () => {
    const root = await tempDir();
    let bytes = await buildZip({ a: "x", b: "y", c: "z", ...fakePlugin() });
    for (const entry of ["a", "b", "c"]) bytes = patchDeclaredSize(bytes, entry, 200 * MiB);
    const zip = join(root, "liar.zip");
    await writeFile(zip, bytes);
    const dest = join(root, "dest");
    await mkdir(dest);
    const err = await refused(extractZip(zip, dest, DEFAULT_LIMITS));
    expect(err.message).toMatch(/archive declares.* more than 536870912/);
    expect(await readdir(dest)).toEqual([]);
  });

  it("measures a folder before copying: over the total, nothing is copied", async () => {
    const root = await tempDir();
    const src = await writeFolder(join(root, "src"), { ...threeBig, ...fakePlugin() });
    const dest = join(root, "dest");
    await mkdir(dest);
    const err = await refused(copyFolder(src, dest, small));
    expect(err.message).toMatch(/folder .*2097152 bytes in total/);
    expect(await readdir(dest)).toEqual([]);
  });

  it("measures a folder before copying: over the entry count, nothing is copied", async () => {
    const root = await tempDir();
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`z/f${i}`, "x"]));
    const src = await writeFolder(join(root, "src"), { ...fakePlugin(), ...many });
    const dest = join(root, "dest");
    await mkdir(dest);
    await refused(copyFolder(src, dest, { ...small, maxEntries: 20 }));
    expect(await readdir(dest)).toEqual([]);
  });
});
