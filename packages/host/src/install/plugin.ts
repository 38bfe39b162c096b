// What the registry knows about an installed plugin, and the JSON shape the
// reference host serves for it (`GET /plugins/portables[/{name}]`).

import type { PluginPackage } from "@portable-plugins/package";
import type { JsonValue, PluginManifest, SymbolKind } from "@portable-plugins/protocol";

/** A checked package installed at `dir` = `<pluginsDir>/<name>`. */
export type InstalledPlugin = PluginPackage;

export interface SymbolInfo {
  readonly kind: SymbolKind;
  readonly name: string;
  /** `sources/<name>.yaml` in effect (sources only). */
  readonly configPath?: string;
  /** Configuration names it defines (sources only), `default` first when present. */
  readonly configKeys?: readonly string[];
  /** The content of `<kind>/<name>.json`, served as-is, when the package has one. */
  readonly description?: JsonValue;
}

export interface PluginDetails {
  readonly plugin: InstalledPlugin;
  readonly sources: readonly SymbolInfo[];
  readonly sinks: readonly SymbolInfo[];
  readonly functions: readonly SymbolInfo[];
}

/** The reference's plugin info document: the manifest with the absolute executable. */
export type PluginInfo = PluginManifest & { name: string };

export function toPluginInfo(p: InstalledPlugin): PluginInfo {
  const m = p.manifest;
  return {
    name: p.name,
    version: m.version,
    language: m.language,
    executable: p.executablePath,
    ...(m.virtualEnvType ? { virtualEnvType: m.virtualEnvType } : {}),
    ...(m.env ? { env: m.env } : {}),
    sources: [...m.sources],
    sinks: [...m.sinks],
    functions: [...m.functions],
  };
}
