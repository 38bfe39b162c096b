// portable-pack and the plugin manifest: generated from the program's
// symbols when the folder has none (`init`, or the first pack), read without
// language/executable (the packer sets both, and says so when it replaces
// them), and refusals that say what to do, as the command prints them.

import { execFile } from "node:child_process";
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { SdkError } from "../src/index.js";
import { initManifest, packPlugin } from "../src/pack/pack.js";
import { packFixture } from "./support/pack-fixture.js";

const run = promisify(execFile);
const CLI = fileURLToPath(new URL("../src/pack/cli.ts", import.meta.url));
const copyFixture = packFixture("pack-manifest-test-");

const json = (path: string): unknown => JSON.parse(readFileSync(path, "utf8"));

async function packCli(dir: string, ...args: string[]) {
  try {
    const r = await run(process.execPath, ["--import", "tsx", CLI, "--dir", dir, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("portable-pack manifest", () => {
  it("writes the manifest and the missing source configuration when the folder has none, then packs", async () => {
    const { dir } = copyFixture();
    rmSync(join(dir, "packme.json"));
    rmSync(join(dir, "sources", "tick.yaml"));
    const result = await packPlugin({ dir, entry: "main.ts" });
    expect(result.generated).toEqual(["packme.json", "sources/tick.yaml"]);
    expect(json(join(dir, "packme.json"))).toEqual({
      version: "v1.0.0",
      sources: ["tick"],
      sinks: [],
      functions: ["twice"],
    });
    expect(readFileSync(join(dir, "sources", "tick.yaml"), "utf8")).toMatch(/^default: \{\}$/m);
    expect(result.files).toEqual(["packme.json", "packme.mjs", "packme", "sources/tick.yaml"]);
    // A second pack reads what the first wrote and generates nothing.
    expect((await packPlugin({ dir, entry: "main.ts" })).generated).toEqual([]);
  });

  it("takes the version from package.json", async () => {
    const { dir } = copyFixture();
    rmSync(join(dir, "packme.json"));
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "x", version: "2.3.4" }));
    const r = await initManifest({ dir, entry: "main.ts" });
    expect(r).toMatchObject({ name: "packme", files: ["packme.json"] });
    expect(json(join(dir, "packme.json"))).toMatchObject({ version: "v2.3.4" });
  });

  it("packs a manifest without language and executable, and fills them in the zip", async () => {
    const { dir } = copyFixture();
    writeFileSync(
      join(dir, "packme.json"),
      JSON.stringify({ version: "v1", sources: ["tick"], functions: ["twice"] }),
    );
    const result = await packPlugin({ dir, entry: "main.ts" });
    expect(result.notes).toEqual([]);
    const r = await run("unzip", ["-p", result.zip, "packme.json"]);
    expect(JSON.parse(r.stdout)).toEqual({
      version: "v1",
      language: "go",
      executable: "packme",
      sources: ["tick"],
      sinks: [],
      functions: ["twice"],
    });
  });

  it("says which manifest values the zip replaces", async () => {
    const { dir } = copyFixture(); // its packme.json says nodejs / main.ts
    const result = await packPlugin({ dir, entry: "main.ts" });
    expect(result.notes).toEqual([
      'packme.json says language "nodejs"; the zip\'s manifest says "go" (portable-pack sets it; leave it out of packme.json)',
      'packme.json says executable "main.ts"; the zip\'s manifest says "packme" (portable-pack sets it; leave it out of packme.json)',
    ]);
  });

  it("replaces a language the schema does not list, with a note, instead of refusing it", async () => {
    const { dir } = copyFixture();
    writeFileSync(
      join(dir, "packme.json"),
      JSON.stringify({ version: "v1", language: "rust", sources: ["tick"], functions: ["twice"] }),
    );
    const result = await packPlugin({ dir, entry: "main.ts" });
    expect(result.notes).toEqual([
      'packme.json says language "rust"; the zip\'s manifest says "go" (portable-pack sets it; leave it out of packme.json)',
    ]);
    const r = await run("unzip", ["-p", result.zip, "packme.json"]);
    expect(JSON.parse(r.stdout)).toMatchObject({ language: "go", executable: "packme" });
  });

  it("init refuses to replace a manifest", async () => {
    const { dir } = copyFixture();
    const err = await initManifest({ dir, entry: "main.ts" }).catch((e: unknown) => e);
    expect(SdkError.is(err, "PORTABLE_E_DEFINITION")).toBe(true);
    expect((err as SdkError).hint).toBe("edit it, or delete it and run portable-pack init again");
  });

  it("refuses a manifest named otherwise than the plugin, saying to rename it", async () => {
    const { dir } = copyFixture();
    cpSync(join(dir, "packme.json"), join(dir, "other.json"));
    rmSync(join(dir, "packme.json"));
    const err = (await packPlugin({ dir, entry: "main.ts" }).catch((e: unknown) => e)) as SdkError;
    expect(err.message).toBe('the program serves plugin "packme" but the manifest is other.json');
    expect(err.hint).toMatch(/^rename other\.json to packme\.json/);
    expect(existsSync(join(dir, "packme.json"))).toBe(false);
  });

  describe("the command", () => {
    it("init writes the manifest; pack prints notes and where the zip is", async () => {
      const { dir } = copyFixture();
      rmSync(join(dir, "packme.json"));
      const init = await packCli(dir, "init", "--entry", "main.ts");
      expect(init).toMatchObject({
        code: 0,
        stdout: "portable-pack: wrote packme.json for plugin packme\n",
      });
      const pack = await packCli(dir, "--entry", "main.ts");
      expect(pack.code).toBe(0);
      expect(pack.stdout).toMatch(/^portable-pack: wrote .*packme\.zip \(packme\.json, /m);
      expect(pack.stderr).toBe("");
    });

    it("prints the fix under a refusal", async () => {
      const { dir } = copyFixture();
      writeFileSync(
        join(dir, "packme.json"),
        JSON.stringify({ version: "v1", sources: ["tick"], functions: [] }),
      );
      const r = await packCli(dir, "--entry", "main.ts");
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        "portable-pack: packme.json lists functions [] but the program serves [twice]\n" +
          '  fix: set "functions": ["twice"] in packme.json, or delete packme.json and run portable-pack again to generate it\n',
      );
      // Every list that is wrong, in one go.
      writeFileSync(join(dir, "packme.json"), JSON.stringify({ version: "v1" }));
      const both = await packCli(dir, "--entry", "main.ts");
      expect(both.stderr).toBe(
        "portable-pack: packme.json lists sources [] but the program serves [tick]; packme.json lists functions [] but the program serves [twice]\n" +
          '  fix: set "sources": ["tick"], "functions": ["twice"] in packme.json, or delete packme.json and run portable-pack again to generate it\n',
      );
    });

    it("says --entry is required", async () => {
      const { dir } = copyFixture();
      const r = await packCli(dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe("portable-pack: --entry is required, e.g. --entry src/main.ts\n");
    });
  });
});
