// portable-gen (PROTOCOL.md §6.4.1): JSON Schemas to TypeScript types, the
// mirror's generated file kept in step with its description files (drift
// check), and `tsc` catching an author's type errors against the types.

import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { generateTypes } from "../src/typegen/generate.js";
import { schemaToTs } from "../src/typegen/schema-to-ts.js";

const run = promisify(execFile);
const SDK = fileURLToPath(new URL("..", import.meta.url));
const MIRROR = fileURLToPath(new URL("../../../examples/mirror", import.meta.url));
const TSC = fileURLToPath(new URL("../../../node_modules/typescript/bin/tsc", import.meta.url));
const GEN = join(SDK, "bin", "portable-gen.js");

const made: string[] = [];
afterEach(async () => {
  for (const dir of made.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("JSON Schema to TypeScript", () => {
  it.each([
    [true, "JsonValue"],
    [false, "never"],
    [{}, "JsonValue"],
    [{ type: "integer" }, "number"],
    [{ type: ["string", "null"] }, "string | null"],
    [{ enum: ["a", 1, null] }, '"a" | 1 | null'],
    [{ const: "x" }, '"x"'],
    [{ type: "array", items: { type: "string" } }, "string[]"],
    [
      { type: "array", items: { anyOf: [{ type: "string" }, { type: "number" }] } },
      "(string | number)[]",
    ],
    [
      { type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false },
      "[string, number]",
    ],
    [{ type: "array" }, "JsonValue[]"],
    [
      { type: "object", additionalProperties: { type: "number" } },
      "{\n  [key: string]: number;\n}",
    ],
    [
      {
        type: "object",
        properties: { a: { type: "string" }, "b-c": { type: "number" } },
        required: ["a"],
        additionalProperties: false,
      },
      '{\n  a: string;\n  "b-c"?: number;\n}',
    ],
    [
      {
        $defs: { n: { type: "number" } },
        type: "object",
        properties: { x: { $ref: "#/$defs/n" } },
        additionalProperties: false,
      },
      "{\n  x?: number;\n}",
    ],
    [
      { $defs: { t: { type: "array", items: { $ref: "#/$defs/t" } } }, $ref: "#/$defs/t" },
      "JsonValue[]",
    ],
    [
      {
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, additionalProperties: false },
          { type: "object", properties: { b: { type: "number" } }, additionalProperties: false },
        ],
      },
      "{\n  a?: string;\n} & {\n  b?: number;\n}",
    ],
  ])("converts schema %#", (schema, expected) => {
    expect(schemaToTs(schema as boolean | Record<string, never>)).toBe(expected);
  });
});

describe("portable-gen", () => {
  it("writes what examples/mirror has committed in src/gen/types.ts", async () => {
    const committed = await readFile(join(MIRROR, "src", "gen", "types.ts"), "utf8");
    expect(await generateTypes({ dir: MIRROR })).toBe(committed);
  });

  it("--check passes on a fresh file and fails (exit 1) once a schema changed", async () => {
    const root = await mkdtemp(join(tmpdir(), "portable-gen-"));
    made.push(root);
    const dir = join(root, "mirror");
    for (const part of ["mirror.json", "functions", "sources", "sinks"]) {
      await cp(join(MIRROR, part), join(dir, part), { recursive: true });
    }
    const out = join(dir, "types.ts");
    await run(process.execPath, [GEN, "--dir", dir, "--out", out]);
    await run(process.execPath, [GEN, "--dir", dir, "--out", out, "--check"]);
    const echo = JSON.parse(await readFile(join(dir, "functions", "echo.json"), "utf8"));
    echo.functions[0].signature.params[0].schema = { type: "string" };
    await writeFile(join(dir, "functions", "echo.json"), JSON.stringify(echo));
    const drift = await run(process.execPath, [GEN, "--dir", dir, "--out", out, "--check"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(drift).toMatchObject({ code: 1, stderr: expect.stringContaining("is not up to date") });
    await run(process.execPath, [GEN, "--dir", dir, "--out", out]);
    expect(await readFile(out, "utf8")).toContain("export type EchoArgs = [value: string];");
  }, 30_000);

  it("refuses a malformed schema, naming the file and the pointer (exit 2)", async () => {
    const root = await mkdtemp(join(tmpdir(), "portable-gen-"));
    made.push(root);
    const dir = join(root, "mirror");
    for (const part of ["mirror.json", "functions", "sources", "sinks"]) {
      await cp(join(MIRROR, part), join(dir, part), { recursive: true });
    }
    const random = JSON.parse(await readFile(join(dir, "sources", "random.json"), "utf8"));
    random.schema.config.properties.interval.type = "int";
    await writeFile(join(dir, "sources", "random.json"), JSON.stringify(random));
    const err = await run(process.execPath, [GEN, "--dir", dir, "--check"]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        "sources/random.json: /schema/config/properties/interval/type: invalid JSON Schema",
      ),
    });
  }, 30_000);
});

describe("tsc against the generated types", () => {
  it("reports each type error of a wrong author file, at its line", async () => {
    const res = await run(
      process.execPath,
      [TSC, "-p", "test/fixtures/typed-author/tsconfig.json"],
      {
        cwd: SDK,
      },
    ).catch((e: { code: number; stdout: string }) => e);
    expect(res).toMatchObject({ code: 2 });
    const errors = (res as { stdout: string }).stdout
      .split("\n")
      .filter((l) => l.includes("error TS"))
      .map((l) => l.replace(/^.*wrong\.ts\((\d+),\d+\): error (TS\d+): (.*)$/, "$1 $2 $3"));
    expect(errors).toEqual([
      "14 TS2493 Tuple type 'EchoArgs' of length '1' has no element at index '1'.",
      "22 TS2322 Type 'number' is not assignable to type 'string'.",
      "26 TS2322 Type 'string' is not assignable to type 'number'.",
      expect.stringMatching(/^31 TS2741 Property 'file' is missing in type '\{\}'/),
    ]);
  }, 60_000);
});
