// portable-pack: the bundle it writes (launcher, manifest for any host, a program that runs),
// reproducible bytes, and its refusals.

import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SdkError } from "../src/index.js";
import { packPlugin } from "../src/pack/pack.js";
import { packFixture } from "./support/pack-fixture.js";

const copyFixture = packFixture("pack-test-");

describe("portable-pack", () => {
  it("bundles the program with a launcher, rewrites the manifest for any host, and the result runs", async () => {
    const { dir, work } = copyFixture();
    const result = await packPlugin({ dir, entry: "main.ts" });
    expect(result.files).toEqual(["packme.json", "packme.mjs", "packme", "sources/tick.yaml"]);
    expect(result.description).toEqual({
      name: "packme",
      sources: ["tick"],
      sinks: [],
      functions: ["twice"],
    });

    const out = join(work, "unzipped");
    execFileSync("unzip", ["-q", result.zip, "-d", out]);
    expect(JSON.parse(readFileSync(join(out, "packme.json"), "utf8"))).toEqual({
      version: "v0.0.1",
      language: "go",
      executable: "packme",
      sources: ["tick"],
      sinks: [],
      functions: ["twice"],
    });
    expect(statSync(join(out, "packme")).mode & 0o111).not.toBe(0);
    // Run by hand, outside a host, it says what it is instead of hanging.
    const run = spawnSync(join(out, "packme"), [], { encoding: "utf8", timeout: 20_000 });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/packme is a portable plugin: a host starts it/);
  });

  it("is reproducible: packing twice gives the same bytes", async () => {
    const { dir, work } = copyFixture();
    const a = readFileSync(
      (await packPlugin({ dir, entry: "main.ts", out: join(work, "a.zip") })).zip,
    );
    const b = readFileSync(
      (await packPlugin({ dir, entry: "main.ts", out: join(work, "b.zip") })).zip,
    );
    expect(a.equals(b)).toBe(true);
  });

  it("refuses a manifest that lists symbols the program does not serve", async () => {
    const { dir } = copyFixture();
    writeFileSync(
      join(dir, "packme.json"),
      JSON.stringify({
        version: "1",
        language: "go",
        executable: "x",
        sources: ["tick"],
        sinks: ["file"],
        functions: ["twice"],
      }),
    );
    const err = await packPlugin({ dir, entry: "main.ts" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SdkError);
    expect((err as SdkError).message).toBe(
      "packme.json lists sinks [file] but the program serves []",
    );
  });

  it("refuses a source without its sources/<name>.yaml", async () => {
    const { dir } = copyFixture();
    rmSync(join(dir, "sources", "tick.yaml"));
    await expect(packPlugin({ dir, entry: "main.ts" })).rejects.toThrow(
      "source tick needs sources/tick.yaml",
    );
  });

  it("uses a node-only manifest with --language nodejs", async () => {
    const { dir } = copyFixture();
    const result = await packPlugin({ dir, entry: "main.ts", language: "nodejs" });
    expect(result.files).not.toContain("packme");
  });
});
