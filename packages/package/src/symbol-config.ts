// Symbol configuration: `sources/<name>.yaml` holds named configurations (a
// `default` and named overrides) and `<kind>/<name>.json` describes a symbol
// for UIs. Resolution follows eKuiper: the named configuration's top-level
// keys replace the default's (a SHALLOW merge: nested maps are not merged).

import { readFile } from "node:fs/promises";
import type { JsonObject, JsonValue } from "@portable-plugins/protocol";
import { isJsonObject } from "@portable-plugins/protocol";
import { parseDocument } from "yaml";
import { PackageError } from "./errors.js";

/** Configuration name -> its properties, as written in the YAML file. */
export type ConfigSet = Readonly<Record<string, JsonObject>>;

export const DEFAULT_CONF_KEY = "default";

export interface ResolvedConfig {
  /** The merged properties: the default's, overridden key by key by the named configuration. */
  readonly props: JsonObject;
  /** The configuration name that matched `confKey`; undefined when only the default applied. */
  readonly matched: string | undefined;
}

function configError(message: string, path: string, cause?: unknown): PackageError {
  return new PackageError("PORTABLE_E_CONFIG", message, {
    path,
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * Parses a source's YAML (YAML 1.2 core schema: no dates, no custom tags;
 * duplicate keys are errors). Every top-level value must be a mapping or empty.
 */
export function parseConfigSet(text: string, path: string, label = path): ConfigSet {
  const doc = parseDocument(text, { schema: "core", uniqueKeys: true, prettyErrors: true });
  const first = doc.errors[0];
  if (first) throw configError(`${label}: invalid YAML: ${first.message}`, path, first);
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  if (!isJsonObject(value)) {
    throw configError(`${label}: must be a mapping of configuration names to properties`, path);
  }
  const out: Record<string, JsonObject> = {};
  for (const [name, props] of Object.entries(value as Record<string, unknown>)) {
    if (props === null) {
      out[name] = {};
    } else if (isJsonObject(props)) {
      out[name] = props as JsonObject;
    } else {
      throw configError(`${label}: configuration ${JSON.stringify(name)} must be a mapping`, path);
    }
  }
  return out;
}

/** Reads and parses a configuration file; `label` names it in errors. */
export async function readConfigSet(path: string, label = path): Promise<ConfigSet> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw configError(`cannot read ${path}: ${(cause as Error).message}`, path, cause);
  }
  return parseConfigSet(text, path, label);
}

/**
 * The properties for `confKey`. Like eKuiper, the key is matched exactly and
 * then case-insensitively (eKuiper lowercases the names in files it loads);
 * an unknown key yields the default alone (`matched` undefined).
 */
export function resolveConfig(set: ConfigSet, confKey?: string): ResolvedConfig {
  const base = structuredClone(set[DEFAULT_CONF_KEY] ?? {});
  if (confKey === undefined || confKey === "" || confKey === DEFAULT_CONF_KEY) {
    return { props: base, matched: set[DEFAULT_CONF_KEY] ? DEFAULT_CONF_KEY : undefined };
  }
  const lower = confKey.toLowerCase();
  const name = confKey in set ? confKey : Object.keys(set).find((k) => k.toLowerCase() === lower);
  if (name === undefined) return { props: base, matched: undefined };
  const override = structuredClone(set[name] ?? {});
  return { props: { ...base, ...override }, matched: name };
}

/** Reads a symbol description (`<kind>/<name>.json`), to be served as-is. */
export async function readDescription(path: string, label = path): Promise<JsonValue> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw configError(`cannot read ${path}: ${(cause as Error).message}`, path, cause);
  }
  try {
    return JSON.parse(text) as JsonValue;
  } catch (cause) {
    throw configError(`${label}: invalid JSON: ${(cause as Error).message}`, path, cause);
  }
}
