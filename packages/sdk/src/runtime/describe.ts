// Lets tools ask a plugin program what it serves without a host: run it with
// PORTABLE_DESCRIBE=1 and it prints one JSON line and exits. The packaging
// tool uses it to check the manifest against the program.

import type { PluginDefinition } from "../api.js";

export interface PluginDescription {
  readonly name: string;
  readonly sources: string[];
  readonly sinks: string[];
  readonly functions: string[];
}

export const DESCRIBE_ENV = "PORTABLE_DESCRIBE";

export function describePlugin(def: PluginDefinition): PluginDescription {
  return {
    name: def.name,
    sources: Object.keys(def.sources ?? {}).sort(),
    sinks: Object.keys(def.sinks ?? {}).sort(),
    functions: Object.keys(def.functions ?? {}).sort(),
  };
}
