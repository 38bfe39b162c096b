// Source configuration as the host serves it: per source, an operator's etc
// file taking precedence; the parsing rules are the package format's
// (packages/package/test/symbol-config.test.ts), thrown here as HostErrors.

import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HostError } from "../src/errors.js";
import { parseConfigSet } from "../src/index.js";
import { Registry } from "../src/install/registry.js";
import { fakePlugin, tempDir, writeZip } from "./helpers.js";

describe("source configuration", () => {
  it("refuses invalid YAML with a HostError PORTABLE_E_CONFIG naming the file", () => {
    expect(() => parseConfigSet("default: [oops\n", "x.yaml")).toThrow(
      expect.objectContaining({
        name: "HostError",
        code: "PORTABLE_E_CONFIG",
        path: "x.yaml",
        message: expect.stringMatching(/x.yaml: invalid YAML/),
      }),
    );
    expect(() => parseConfigSet("- a\n", "x.yaml")).toThrow(HostError);
  });

  it("is served by the registry per source, an operator's etc file taking precedence", async () => {
    const root = await tempDir();
    const etcDir = join(root, "etc");
    const registry = new Registry({ pluginsDir: join(root, "plugins"), etcDir });
    await registry.install("mirror", await writeZip(root, "m.zip", fakePlugin()));
    expect((await registry.sourceConfig("random", "ext")).props).toEqual({
      interval: 100,
      deduplicate: 0,
    });
    await mkdir(join(etcDir, "sources"), { recursive: true });
    await writeFile(join(etcDir, "sources", "random.yaml"), "default:\n  interval: 5\n");
    expect(await registry.sourceConfig("random", "ext")).toEqual({
      props: { interval: 5 },
      matched: undefined,
    });
    await expect(registry.sourceConfig("nothing")).rejects.toMatchObject({
      code: "PORTABLE_E_NOT_FOUND",
    });
  });
});
