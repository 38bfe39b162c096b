// A package's install.sh (PROTOCOL.md §6.5): run with bash in the plugin
// folder with the plugin's name and folder in its environment; a failure is
// PORTABLE_E_INSTALL_SCRIPT carrying the script's output.

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PackageError } from "../src/errors.js";
import { runInstallScript } from "../src/install-script.js";
import { tempDir, writeFolder } from "./fixtures.js";

async function withScript(script: string): Promise<string> {
  return writeFolder(join(await tempDir("package-test-"), "mirror"), { "install.sh": script });
}

describe("install.sh", () => {
  it("runs in the plugin folder with its arguments, name and folder, returning the output", async () => {
    const dir = await withScript('echo "$PWD $PORTABLE_PLUGIN_NAME $PORTABLE_PLUGIN_DIR $1"\n');
    const output = await runInstallScript(dir, {
      plugin: "mirror",
      timeoutMs: 10_000,
      args: ["x"],
    });
    expect(output.trim()).toBe(`${dir} mirror ${dir} x`);
  });

  it("fails with PORTABLE_E_INSTALL_SCRIPT and the output when it exits non-zero", async () => {
    const dir = await withScript("echo missing dependency >&2\nexit 3\n");
    const err = await runInstallScript(dir, { plugin: "mirror", timeoutMs: 10_000 }).catch(
      (e: unknown) => e,
    );
    expect(PackageError.is(err, "PORTABLE_E_INSTALL_SCRIPT")).toBe(true);
    expect(err).toMatchObject({
      plugin: "mirror",
      path: "install.sh",
      output: "missing dependency\n",
      message: expect.stringMatching(/^plugin mirror: install.sh exited with code 3; output:/),
    });
  });
});
