// SdkError's codes are the "sdk" layer of the family's one list (@portable-plugins/protocol
// ERROR_CODES, PROTOCOL.md §9.5), and nothing in this package names a code outside it.
import { fileURLToPath } from "node:url";
import { errorCodesOf } from "@portable-plugins/protocol";
import { scanErrorCodes } from "@portable-plugins/protocol/error-code-scan";
import { describe, expect, it } from "vitest";
import { SDK_ERROR_CODES } from "../src/index.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("sdk error codes", () => {
  it("are exactly the codes the list gives the sdk layer", () => {
    expect([...SDK_ERROR_CODES].sort()).toEqual(errorCodesOf("sdk").sort());
  });

  it("are the only codes named by this package's sources, tests and README", () => {
    const { files, unknown } = scanErrorCodes(pkg, { include: /\.(ts|js|mjs|py|sh|ya?ml|json)$/ });
    expect(files.length).toBeGreaterThan(10);
    expect(unknown).toEqual([]);
  });
});
