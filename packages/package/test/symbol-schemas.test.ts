// Typed symbols in description files (PROTOCOL.md §6.4): signatures and
// source/sink schemas are read from a folder or a zip, checked with ajv, and
// a malformed one is a PackageError naming the file and the JSON pointer.

import { describe, expect, it } from "vitest";
import { checkPackage } from "../src/check.js";
import { PackageError } from "../src/errors.js";
import { readPluginSchemas } from "../src/read-schemas.js";
import { fakePlugin, tempDir, writeFolder, writeZip } from "./fixtures.js";

const about = { trial: false, author: { name: "t" } };

const echoSignature = {
  params: [
    { name: "value", schema: { type: "string" } },
    { name: "times", schema: { type: "integer", minimum: 1 }, optional: true },
  ],
  variadic: { name: "rest", schema: { type: "number" } },
  result: { type: "string" },
};

function echoFile(signature: unknown, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    about,
    name: "echo",
    functions: [{ name: "echo", example: "echo(a)", signature, ...extra }],
  });
}

const randomSchema = {
  config: {
    type: "object",
    properties: { interval: { type: "integer", minimum: 1 } },
    required: ["interval"],
  },
  row: { type: "object", additionalProperties: { type: "number" } },
};

function typedPlugin(files: Record<string, string> = {}) {
  return fakePlugin({
    files: {
      "functions/echo.json": echoFile(echoSignature),
      "sources/random.json": JSON.stringify({
        about,
        properties: { default: [] },
        schema: randomSchema,
      }),
      "sinks/file.json": JSON.stringify({ about, properties: [], schema: { row: true } }),
      ...files,
    },
  });
}

async function folder(files: Record<string, string | Buffer>): Promise<string> {
  const dir = await tempDir("schemas-");
  return writeFolder(`${dir}/mirror`, files);
}

async function refusal(files: Record<string, string | Buffer>): Promise<PackageError> {
  const err = await readPluginSchemas(await folder(files)).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(PackageError);
  return err as PackageError;
}

describe("typed symbols in description files", () => {
  it("reads signatures and source/sink schemas from a folder", async () => {
    const schemas = await readPluginSchemas(await folder(typedPlugin()));
    expect(schemas.functions.get("echo")).toEqual({
      params: [
        { name: "value", schema: { type: "string" }, optional: false },
        { name: "times", schema: { type: "integer", minimum: 1 }, optional: true },
      ],
      variadic: { name: "rest", schema: { type: "number" } },
      result: { type: "string" },
    });
    expect(schemas.sources.get("random")).toEqual(randomSchema);
    expect(schemas.sinks.get("file")).toEqual({ row: true });
  });

  it("reads the same from a zip, whose name gives the plugin name", async () => {
    const zip = await writeZip(await tempDir(), "mirror.zip", typedPlugin());
    const schemas = await readPluginSchemas(zip);
    expect([...schemas.functions.keys()]).toEqual(["echo"]);
    expect(schemas.sources.get("random")?.config).toEqual(randomSchema.config);
  });

  it("finds nothing in a package without the keys, and checkPackage works as before", async () => {
    const dir = await folder(
      fakePlugin({ files: { "functions/echo.json": JSON.stringify({ about }) } }),
    );
    const schemas = await readPluginSchemas(dir);
    expect([schemas.functions.size, schemas.sources.size, schemas.sinks.size]).toEqual([0, 0, 0]);
    const plugin = await checkPackage(dir, "mirror");
    expect(plugin.schemas?.functions.size).toBe(0);
  });

  it("checkPackage refuses a malformed schema, so an install does too", async () => {
    const bad = { ...echoSignature, result: { type: "strnig" } };
    const dir = await folder(typedPlugin({ "functions/echo.json": echoFile(bad) }));
    const err = await checkPackage(dir, "mirror").catch((e: unknown) => e);
    expect(PackageError.is(err, "PORTABLE_E_CONFIG")).toBe(true);
    expect((err as PackageError).pointer).toBe("/functions/0/signature/result/type");
  });

  it("names the file and the JSON pointer of a malformed parameter schema", async () => {
    const bad = {
      ...echoSignature,
      params: [
        echoSignature.params[0],
        { name: "times", schema: { type: "integer", minimum: "1" } },
      ],
    };
    const err = await refusal(typedPlugin({ "functions/echo.json": echoFile(bad) }));
    expect(err.code).toBe("PORTABLE_E_CONFIG");
    expect(err.path).toBe("functions/echo.json");
    expect(err.pointer).toBe("/functions/0/signature/params/1/schema/minimum");
    expect(err.symbol).toBe("echo");
    expect(err.message).toContain(
      "plugin mirror: functions/echo.json: /functions/0/signature/params/1/schema/minimum",
    );
  });

  it("refuses an unknown schema keyword (a typo) at the schema's pointer", async () => {
    const err = await refusal(
      typedPlugin({
        "sources/random.json": JSON.stringify({ about, schema: { config: { tpye: "object" } } }),
      }),
    );
    expect(err.path).toBe("sources/random.json");
    expect(err.pointer).toBe("/schema/config");
    expect(err.message).toMatch(/unknown keyword.*tpye/);
  });

  it("refuses an unresolvable $ref", async () => {
    const err = await refusal(
      typedPlugin({
        "sinks/file.json": JSON.stringify({ about, schema: { row: { $ref: "#/$defs/nope" } } }),
      }),
    );
    expect(err.pointer).toBe("/schema/row");
    expect(err.message).toContain("nope");
  });

  it("refuses a required parameter after an optional one", async () => {
    const bad = {
      params: [
        { name: "a", schema: true, optional: true },
        { name: "b", schema: true },
      ],
      result: true,
    };
    const err = await refusal(typedPlugin({ "functions/echo.json": echoFile(bad) }));
    expect(err.pointer).toBe("/functions/0/signature/params/1");
    expect(err.message).toContain("cannot follow an optional one");
  });

  it.each([
    ["a missing result", { params: [] }, "/functions/0/signature", /missing key result/],
    ["params not an array", { params: {}, result: true }, "/functions/0/signature/params", /array/],
    [
      "an unknown key",
      { params: [], result: true, retrun: 1 },
      "/functions/0/signature/retrun",
      /unknown key/,
    ],
    [
      "a parameter name that is not an identifier",
      { params: [{ name: "a b", schema: true }], result: true },
      "/functions/0/signature/params/0/name",
      /identifier/,
    ],
    [
      "a name used twice",
      {
        params: [{ name: "a", schema: true }],
        variadic: { name: "a", schema: true },
        result: true,
      },
      "/functions/0/signature/variadic/name",
      /used twice/,
    ],
    [
      "a schema that is neither object nor boolean",
      { params: [{ name: "a", schema: "string" }], result: true },
      "/functions/0/signature/params/0/schema",
      /object or a boolean/,
    ],
    ["a signature that is not an object", [1], "/functions/0/signature", /must be an object/],
  ])("refuses %s", async (_label, signature, pointer, message) => {
    const err = await refusal(typedPlugin({ "functions/echo.json": echoFile(signature) }));
    expect(err.pointer).toBe(pointer);
    expect(err.message).toMatch(message);
  });

  it("refuses a source schema with a key other than config and row", async () => {
    const err = await refusal(
      typedPlugin({ "sources/random.json": JSON.stringify({ about, schema: { rows: true } }) }),
    );
    expect(err.pointer).toBe("/schema/rows");
  });

  it("refuses a signature for a function the manifest does not list", async () => {
    const file = JSON.stringify({
      about,
      functions: [
        { name: "echo", signature: echoSignature },
        { name: "other", signature: echoSignature },
      ],
    });
    const err = await refusal(typedPlugin({ "functions/echo.json": file }));
    expect(err.symbol).toBe("other");
    expect(err.message).toContain("does not list");
  });

  it("takes the operator's etc file over the package's", async () => {
    const etc = await tempDir("etc-");
    await writeFolder(etc, {
      "sinks/file.json": JSON.stringify({ about, schema: { row: { type: "object" } } }),
    });
    const schemas = await readPluginSchemas(await folder(typedPlugin()), { etcDir: etc });
    expect(schemas.sinks.get("file")).toEqual({ row: { type: "object" } });
  });
});
