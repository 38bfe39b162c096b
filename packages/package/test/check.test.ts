// The package checks a host's install and the conformance suite both apply to
// a plugin folder: each refusal has its code and names the plugin, the file
// and the manifest field; an accepted folder gets its executable bit back.

import { stat, symlink } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPackage, relocate } from "../src/check.js";
import { PackageError, type PackageErrorCode } from "../src/errors.js";
import {
  type FakePluginOptions,
  type Files,
  fakePlugin,
  manifestWith,
  tempDir,
  writeFolder,
} from "./fixtures.js";

async function folderOf(files: Files): Promise<string> {
  return writeFolder(join(await tempDir("package-test-"), "mirror"), files);
}

async function refusal(files: Files, name = "mirror"): Promise<PackageError> {
  const err = await checkPackage(await folderOf(files), name).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(PackageError.is(err), String(err)).toBe(true);
  return err as PackageError;
}

const manifest = (fields: Record<string, unknown>, opts: FakePluginOptions = {}): Files =>
  fakePlugin({ ...opts, files: { "mirror.json": manifestWith(fields), ...opts.files } });

describe("checkPackage", () => {
  it("accepts a plugin folder, restores the executable bit and records the package", async () => {
    const dir = await folderOf(fakePlugin());
    const plugin = await checkPackage(dir, "mirror");
    expect(plugin).toMatchObject({
      name: "mirror",
      dir,
      language: "go",
      executablePath: join(dir, "bin/mirror"),
      manifest: { name: "mirror", sources: ["random"], sinks: ["file"], functions: ["echo"] },
    });
    expect((await stat(plugin.executablePath)).mode & 0o111).toBe(0o111);
    expect(relocate(plugin, "/plugins/mirror").executablePath).toBe("/plugins/mirror/bin/mirror");
  });

  const cases: [string, Files, PackageErrorCode, RegExp, string?][] = [
    [
      "a manifest under another name",
      { ...fakePlugin({ name: "other" }) },
      "PORTABLE_E_MANIFEST",
      /missing manifest mirror.json \(found other.json: the manifest's file name must equal the plugin name\)/,
    ],
    [
      "a manifest that is not JSON",
      { ...fakePlugin(), "mirror.json": "{" },
      "PORTABLE_E_MANIFEST",
      /invalid manifest mirror.json/,
      "",
    ],
    [
      "another name inside the manifest",
      manifest({ name: "other" }),
      "PORTABLE_E_MANIFEST",
      /expect name 'mirror' but got 'other'/,
      "name",
    ],
    [
      "an unknown language",
      manifest({ language: "rust" }),
      "PORTABLE_E_MANIFEST",
      /language 'rust' is not supported \(use go, python, nodejs\)/,
      "language",
    ],
    [
      "conda for a go plugin",
      manifest({ virtualEnvType: "conda", env: "ml" }),
      "PORTABLE_E_MANIFEST",
      /virtualEnvType 'conda' is not supported/,
      "virtualEnvType",
    ],
    [
      "conda without an environment",
      manifest({ language: "python", virtualEnvType: "conda" }),
      "PORTABLE_E_MANIFEST",
      /virtualEnvType "conda" needs "env"/,
      "env",
    ],
    [
      "no symbol at all",
      manifest({ sources: [], functions: [] }),
      "PORTABLE_E_MANIFEST",
      /must define at least one source, sink or function/,
    ],
    [
      "a function name that is not an identifier",
      manifest({ functions: ["echo", "a-b"] }),
      "PORTABLE_E_MANIFEST",
      /function name "a-b" is not an identifier/,
      "functions[1]",
    ],
    [
      "a symbol listed twice",
      manifest({ functions: ["echo", "echo"] }),
      "PORTABLE_E_MANIFEST",
      /function echo is listed twice/,
      "functions[1]",
    ],
    [
      "an executable path escaping the folder",
      manifest({ executable: "../evil" }),
      "PORTABLE_E_MANIFEST",
      /executable "..\/evil": path escapes the package/,
      "executable",
    ],
    [
      "an executable that is not there",
      manifest({ executable: "bin/nothing" }),
      "PORTABLE_E_MISSING_FILE",
      /executable bin\/nothing named by the manifest is not in the package/,
    ],
    [
      "a source without its configuration",
      fakePlugin({ omit: ["sources/random.yaml"] }),
      "PORTABLE_E_MISSING_FILE",
      /missing sources\/random.yaml, required for source random/,
    ],
  ];

  it.each(cases)("refuses %s", async (_title, files, code, message, field) => {
    const err = await refusal(files);
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.plugin).toBe("mirror");
    expect(err.field).toBe(field);
  });

  it("refuses an invalid source configuration, naming plugin, symbol and file", async () => {
    const err = await refusal(fakePlugin({ files: { "sources/random.yaml": "default: 5\n" } }));
    expect(err).toMatchObject({
      code: "PORTABLE_E_CONFIG",
      plugin: "mirror",
      symbol: "random",
      path: expect.stringMatching(/sources\/random.yaml$/),
    });
    expect(err.message).toMatch(/^plugin mirror: sources\/random.yaml: configuration "default"/);
  });

  it("refuses an executable that is a link leaving the folder", async () => {
    const dir = await folderOf(fakePlugin({ omit: ["bin/mirror"], files: { "bin/.keep": "" } }));
    await symlink("/bin/sh", join(dir, "bin/mirror"));
    const err = await checkPackage(dir, "mirror").catch((e: unknown) => e as PackageError);
    expect(err).toMatchObject({ code: "PORTABLE_E_MANIFEST", field: "executable" });
    expect((err as Error).message).toMatch(/resolves outside the package/);
  });

  it("prefers an operator's configuration file over the package's", async () => {
    const etcDir = await writeFolder(join(await tempDir("package-test-"), "etc"), {
      "sources/random.yaml": "default: 5\n",
    });
    const err = await checkPackage(await folderOf(fakePlugin()), "mirror", { etcDir }).catch(
      (e: unknown) => e as PackageError,
    );
    expect(err).toMatchObject({ code: "PORTABLE_E_CONFIG", symbol: "random" });
  });
});
