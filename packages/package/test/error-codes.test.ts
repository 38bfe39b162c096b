// PackageError's codes are the "package" layer of the family's one list
// (@portable-plugins/protocol ERROR_CODES, PROTOCOL.md §9.5), and nothing in
// this package names a code outside it.
import { fileURLToPath } from "node:url";
import { errorCodesOf } from "@portable-plugins/protocol";
import { scanErrorCodes } from "@portable-plugins/protocol/error-code-scan";
import { describe, expect, it } from "vitest";
import { PACKAGE_ERROR_CODES } from "../src/index.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("package error codes", () => {
  it("are exactly the codes the list gives the package layer", () => {
    expect([...PACKAGE_ERROR_CODES].sort()).toEqual(errorCodesOf("package").sort());
  });

  it("are the only codes named by this package's sources, tests and README", () => {
    const { files, unknown } = scanErrorCodes(pkg, { include: /\.(ts|js|mjs|py|sh)$/ });
    expect(files.length).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });
});
