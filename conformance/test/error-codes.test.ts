// ConformanceError's codes are the "conformance" layer of the family's one list (@portable-plugins/protocol
// ERROR_CODES, PROTOCOL.md §9.5), and nothing in this package names a code outside it.
import { fileURLToPath } from "node:url";
import { errorCodesOf } from "@portable-plugins/protocol";
import { scanErrorCodes } from "@portable-plugins/protocol/error-code-scan";
import { describe, expect, it } from "vitest";
import { CONFORMANCE_ERROR_CODES } from "../src/index.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("conformance error codes", () => {
  it("are exactly the codes the list gives the conformance layer", () => {
    expect([...CONFORMANCE_ERROR_CODES].sort()).toEqual(errorCodesOf("conformance").sort());
  });

  it("are the only codes named by this package's sources, tests and README", () => {
    const { files, unknown } = scanErrorCodes(pkg, {
      dirs: ["src", "test", "scenarios", "profiles", "known-failures", "schema"],
      include: /\.(ts|js|mjs|py|sh|ya?ml|json)$/,
    });
    expect(files.length).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });
});
