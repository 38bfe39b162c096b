// HostError's codes (and the REST-only PORTABLE_E_INTERNAL) are the "host" layer of the
// family's one list (@portable-plugins/protocol ERROR_CODES, PROTOCOL.md §9.5), and nothing in
// this package names a code outside it.
import { fileURLToPath } from "node:url";
import { errorCodesOf } from "@portable-plugins/protocol";
import { scanErrorCodes } from "@portable-plugins/protocol/error-code-scan";
import { describe, expect, it } from "vitest";
import { HOST_ERROR_CODES } from "../src/index.js";
import { INTERNAL_ERROR_CODE } from "../src/rest/errors.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("host error codes", () => {
  it("are exactly the codes the list gives the host layer", () => {
    const ours = [...HOST_ERROR_CODES, INTERNAL_ERROR_CODE];
    expect(ours.sort()).toEqual(errorCodesOf("host").sort());
  });

  it("are the only codes named by this package's sources, tests and README", () => {
    const { files, unknown } = scanErrorCodes(pkg, { include: /\.(ts|js|mjs|py|sh)$/ });
    expect(files.length).toBeGreaterThan(20);
    expect(unknown).toEqual([]);
  });
});
