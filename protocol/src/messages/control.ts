// Helpers over Control (PROTOCOL.md §4.3): where the data source really is,
// and the keys symbols are tracked by.

import type { DecodeWarning } from "../codec/warnings.js";
import type { Control, Meta } from "../gen/portable.js";
import { isJsonObject } from "../json.js";

/**
 * The data source of a start command: `dataSource`, else (eKuiper 2.x puts it
 * in the config) `config.datasource` or `config.dataSource`. Reports the
 * `datasource-in-config` quirk into `warnings` when given.
 */
export function dataSourceOf(control: Control, warnings?: DecodeWarning[]): string | undefined {
  if (control.dataSource) return control.dataSource;
  const config = control.config;
  if (!isJsonObject(config ?? null)) return undefined;
  for (const key of ["datasource", "dataSource"]) {
    const v = config?.[key];
    if (typeof v === "string" && v !== "") {
      warnings?.push({ code: "datasource-in-config", field: `config.${key}` });
      return v;
    }
  }
  return undefined;
}

/** `<ruleId>_<opId>_<instanceId>`: names a source or sink instance and its sockets (§5.1). */
export function instanceKey(meta: Meta): string {
  return `${meta.ruleId}_${meta.opId}_${meta.instanceId}`;
}
