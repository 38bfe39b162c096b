// Property cases over declared types (scenarios/types.yaml, PROTOCOL.md
// §6.4.1): which cases the planner skips and why (no types, a schema outside
// the generator's subset), argument lists built from a signature (required,
// optional, variadic), and the seed: the same seed re-runs the same case, the
// counter-example is the smallest whatever the seed.

import type { FunctionSignature, PluginSchemas } from "@portable-plugins/package";
import { createSchemaAjv } from "@portable-plugins/package";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loadFeatures, runSuite, toJunit } from "../src/index.js";
import { planCases } from "../src/runner/plan.js";
import type { Subject } from "../src/subject/types.js";
import { argsArbitrary, caseSeed } from "../src/typed/plan-types.js";
import { BROKEN, HAS_PYTHON, PYTHON } from "./paths.js";

const sig = (s: Partial<FunctionSignature>): FunctionSignature => ({
  params: [],
  result: true,
  ...s,
});

function subject(schemas: PluginSchemas): Subject {
  return {
    name: "p",
    label: "p",
    dir: "/nonexistent",
    manifest: {
      version: "v1",
      language: "python",
      executable: "p.py",
      sources: ["s"],
      sinks: ["k"],
      functions: ["f", "g", "h"],
    },
    language: "python",
    executablePath: "/nonexistent/p.py",
    sourceDefaults: {},
    schemas,
    dispose: async () => undefined,
  } as Subject;
}

describe("planning the types cases", () => {
  it("skips untyped symbols and schemas outside the subset, with the reason", async () => {
    const features = (await loadFeatures()).filter((f) => f.feature === "types");
    const planned = planCases(
      subject({
        functions: new Map([
          ["f", sig({ params: [{ name: "x", schema: { type: "integer" }, optional: false }] })],
          [
            "g",
            sig({
              params: [{ name: "at", schema: { type: "string", pattern: "^2" }, optional: false }],
            }),
          ],
        ]),
        sources: new Map([["s", { config: { type: "object" } }]]),
        sinks: new Map([["k", { row: { type: "object", properties: { t: { format: "date" } } } }]]),
      }),
      features,
      undefined,
    );
    const skips = Object.fromEntries(planned.map((p) => [p.id, p.skip ?? "runs"]));
    expect(skips).toEqual({
      "types/function-results/f": "runs",
      "types/function-results/g":
        'outside the generator\'s subset: parameter at: schema/pattern: keyword "pattern" is outside the subset',
      "types/function-results/h":
        "function h declares no signature in its description file (§6.4.1): nothing to check",
      "types/source-rows/s":
        "source s declares no row schema in its description file (§6.4.1): nothing to check",
      "types/sink-rows/k":
        'outside the generator\'s subset: row schema/properties/t/format: keyword "format" is outside the subset',
    });
  });

  it("leaves the function case out of a version-2 run (it makes version-1 calls)", async () => {
    const features = (await loadFeatures()).filter((f) => f.feature === "types");
    const planned = planCases(
      subject({ functions: new Map([["f", sig({})]]), sources: new Map(), sinks: new Map() }),
      features,
      undefined,
      {},
      { version: 2, declared: [1, 2] },
    );
    expect(planned.map((p) => p.id)).not.toContain("v2/types/function-results/f");
    expect(planned.map((p) => p.id)).toContain("v2/types/source-rows/s");
  });
});

describe("argument lists from a signature", () => {
  it("required, then a prefix of the optional ones, then variadic ones: all fit", () => {
    const s = sig({
      params: [
        { name: "a", schema: { type: "integer" }, optional: false },
        { name: "b", schema: { type: "string" }, optional: true },
        { name: "c", schema: { type: "boolean" }, optional: true },
      ],
      variadic: { name: "rest", schema: { type: "null" } },
    });
    const built = argsArbitrary(s);
    if ("skip" in built) throw new Error(built.skip);
    const ajv = createSchemaAjv();
    const shapes = new Set<string>();
    const fits = ajv.compile({
      type: "array",
      prefixItems: [{ type: "integer" }, { type: "string" }, { type: "boolean" }],
      items: { type: "null" },
      minItems: 1,
    });
    for (const args of fc.sample(built.arbitrary, { numRuns: 300, seed: 3 })) {
      expect(fits(args), JSON.stringify(args)).toBe(true);
      shapes.add(args.map((a) => (a === null ? "null" : typeof a)).join(","));
    }
    for (const shape of [
      "number",
      "number,string",
      "number,string,boolean",
      "number,string,boolean,null",
    ]) {
      expect(shapes).toContain(shape);
    }
  });

  it("a case's seed depends on the run's seed and the case id only", () => {
    expect(caseSeed(14, "types/a")).toBe(caseSeed(14, "types/a"));
    expect(caseSeed(14, "types/a")).not.toBe(caseSeed(14, "types/b"));
    expect(caseSeed(14, "types/a")).not.toBe(caseSeed(15, "types/a"));
  });
});

describe.skipIf(!HAS_PYTHON)("the seed of a property case (a real plugin)", () => {
  const run = async (seed: number) => {
    const report = await runSuite({
      subjects: [`${BROKEN}brk_wrongtype.json`],
      only: ["types/function-results"],
      interpreters: { python: PYTHON },
      seed,
    });
    expect(report.seed).toBe(seed);
    return report.plugins[0]?.results[0]?.reasons.join("\n") ?? "";
  };

  it("re-runs the same case with the same seed, and shrinks to the same smallest example with another", async () => {
    const first = await run(7);
    const strip = (t: string) =>
      t.replace(/after \d+ of/, "after N of").replace(/shrunk \d+/, "shrunk N");
    expect(first).toMatch(/counter-example args \[10\] → \{state: true, result: "20"\}/);
    expect(first).toMatch(/re-run: --seed 7 --only 'types\/function-results\/brk_wrongtype_fn'/);
    expect(await run(7)).toBe(first);
    expect(
      toJunit({ plugins: [{ label: "p", results: [] }], ok: true, harnessErrors: false, seed: 7 }),
    ).toContain('<properties><property name="seed" value="7"/></properties>');
    const other = await run(8);
    expect(other).toMatch(/counter-example args \[10\]/);
    expect(strip(other).replace(/seed 8, case seed -?\d+/, "")).toBe(
      strip(first)
        .replace(/seed 7, case seed -?\d+/, "")
        .replace("--seed 7", "--seed 8"),
    );
  });
});
