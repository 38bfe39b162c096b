// NngError's codes are the "nng" layer of the family's one list (@portable-plugins/protocol
// ERROR_CODES, PROTOCOL.md §9.5), and nothing in this package names a code outside it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { errorCodesOf, unknownErrorCodes } from "@portable-plugins/protocol";
import { describe, expect, it } from "vitest";
import { NNG_ERROR_CODES } from "../src/index.js";

const pkg = fileURLToPath(new URL("..", import.meta.url));

describe("nng error codes", () => {
  it("are exactly the codes the list gives the nng layer", () => {
    expect([...NNG_ERROR_CODES].sort()).toEqual(errorCodesOf("nng").sort());
  });

  it("are the only codes named by this package's sources, tests and README", () => {
    const files = ["src", "test"]
      .flatMap((dir) =>
        readdirSync(join(pkg, dir), { recursive: true, encoding: "utf8" }).map((f) => join(dir, f)),
      )
      .filter((f) => /\.(ts|py|go)$/.test(f))
      .concat("README.md");
    expect(files.length).toBeGreaterThan(20);
    const unknown = files.flatMap((f) =>
      unknownErrorCodes(readFileSync(join(pkg, f), "utf8")).map((c) => `${f}: ${c}`),
    );
    expect(unknown).toEqual([]);
  });
});
