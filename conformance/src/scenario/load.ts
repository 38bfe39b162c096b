// Reads scenario and profile files and checks them against their JSON
// Schemas before anything runs: a bad file is a harness error that names the
// file and the offending path, never a silently skipped case.

import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { parse } from "yaml";
import { ConformanceError } from "../errors.js";
import type { Feature, Profile } from "./types.js";

/** The package root: two levels above this module, in src/ and in dist/ alike. */
const PACKAGE_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const SCENARIO_DIR = join(PACKAGE_ROOT, "scenarios");
export const SCHEMA_DIR = join(PACKAGE_ROOT, "schema");

let validators: { scenario: ValidateFunction; profile: ValidateFunction } | undefined;

async function getValidators() {
  if (validators) return validators;
  const read = async (f: string) => JSON.parse(await readFile(join(SCHEMA_DIR, f), "utf8"));
  const ajv = new Ajv2020({ allErrors: false, strict: false });
  ajv.addSchema(await read("scenario.schema.json"));
  ajv.addSchema(await read("profile.schema.json"));
  validators = {
    scenario: ajv.getSchema(
      "https://portable-plugins.dev/schema/scenario.schema.json",
    ) as ValidateFunction,
    profile: ajv.getSchema(
      "https://portable-plugins.dev/schema/profile.schema.json",
    ) as ValidateFunction,
  };
  return validators;
}

/** The most useful of ajv's errors for a `oneOf` of steps: the deepest one. */
function explain(errors: readonly ErrorObject[] | null | undefined): string {
  if (!errors || errors.length === 0) return "invalid";
  const deepest = [...errors].sort(
    (a, b) => b.instancePath.split("/").length - a.instancePath.split("/").length,
  )[0] as ErrorObject;
  const extra =
    deepest.keyword === "additionalProperties"
      ? ` (${String((deepest.params as { additionalProperty: string }).additionalProperty)})`
      : deepest.keyword === "enum"
        ? ` (${JSON.stringify((deepest.params as { allowedValues: unknown }).allowedValues)})`
        : "";
  return `${deepest.instancePath || "/"} ${deepest.message ?? "is invalid"}${extra}`;
}

async function readYaml(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw ConformanceError.from(err, "PORTABLE_E_CONF_SCENARIO", `cannot read ${file}`);
  }
  try {
    return parse(text);
  } catch (err) {
    throw ConformanceError.from(err, "PORTABLE_E_CONF_SCENARIO", `${file}: not YAML`);
  }
}

export async function loadFeature(file: string): Promise<Feature> {
  const data = await readYaml(file);
  const { scenario } = await getValidators();
  if (!scenario(data)) {
    throw new ConformanceError("PORTABLE_E_CONF_SCENARIO", `${file}: ${explain(scenario.errors)}`, {
      path: file,
    });
  }
  const feature = { ...(data as Omit<Feature, "file">), file };
  const seen = new Set<string>();
  for (const c of feature.cases) {
    if (seen.has(c.name)) {
      throw new ConformanceError(
        "PORTABLE_E_CONF_SCENARIO",
        `${file}: case ${c.name} is defined twice`,
        { path: file },
      );
    }
    seen.add(c.name);
  }
  return feature;
}

/** Every `*.yaml` in `dir` (default: the scenarios shipped with the package), by file name. */
export async function loadFeatures(dir = SCENARIO_DIR): Promise<Feature[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort();
  const features = await Promise.all(files.map((f) => loadFeature(join(dir, f))));
  const names = new Map<string, string>();
  for (const f of features) {
    for (const c of f.cases) {
      const other = names.get(c.name);
      if (other) {
        throw new ConformanceError(
          "PORTABLE_E_CONF_SCENARIO",
          `case ${c.name} is defined in ${basename(other)} and ${basename(f.file)}`,
        );
      }
      names.set(c.name, f.file);
    }
  }
  return features;
}

export async function loadProfile(file: string): Promise<Profile> {
  const data = (await readYaml(file)) ?? {};
  const { profile } = await getValidators();
  if (!profile(data)) {
    throw new ConformanceError(
      "PORTABLE_E_CONF_SCENARIO",
      `profile ${file}: ${explain(profile.errors)}`,
      {
        path: file,
      },
    );
  }
  return { ...(data as Omit<Profile, "file">), file };
}
