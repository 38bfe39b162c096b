// NngError's codes are the "nng" layer of the family's one list (@portable-plugins/protocol
// ERROR_CODES, PROTOCOL.md §9.5), and nothing in this package names a code outside it.
import { fileURLToPath } from "node:url";
import { errorCodesOf } from "@portable-plugins/protocol";
import { scanErrorCodes } from "@portable-plugins/protocol/error-code-scan";
import { describe, expect, it } from "vitest";
import { NNG_ERROR_CODES } from "../src/index.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("nng error codes", () => {
  it("are exactly the codes the list gives the nng layer", () => {
    expect([...NNG_ERROR_CODES].sort()).toEqual(errorCodesOf("nng").sort());
  });

  it("are the only codes named by this package's sources, tests and README", () => {
    const { files, unknown } = scanErrorCodes(pkg, { include: /\.(ts|py|go)$/ });
    expect(files.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });
});
