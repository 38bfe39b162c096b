// Symbol kinds and their spellings (PROTOCOL.md §4.3, §6.2): the kind's name
// (`function`), its Control.pluginType on the wire (`func`) and its manifest
// list and package folder (`functions`). The table itself is generated from
// the schema (the manifest lists' `symbol_kind` and `plugin_type` options);
// these are the look-ups every package uses instead of a table of its own.

import {
  type ControlPluginType,
  type PluginManifest,
  SYMBOL_KIND_SPELLINGS,
  SYMBOL_KINDS,
  type SymbolKind,
} from "./gen/portable.js";

/** A manifest list (and package folder) name: `sources`, `sinks` or `functions`. */
export type SymbolList = (typeof SYMBOL_KIND_SPELLINGS)[SymbolKind]["manifest"];

/** `func` for `function`: the kind as Control.pluginType spells it. */
export function pluginTypeOf(kind: SymbolKind): ControlPluginType {
  return SYMBOL_KIND_SPELLINGS[kind].pluginType;
}

/** `function` for `func`. */
export function kindOfPluginType(pluginType: ControlPluginType): SymbolKind {
  const kind = SYMBOL_KINDS.find((k) => SYMBOL_KIND_SPELLINGS[k].pluginType === pluginType);
  if (kind === undefined) throw new TypeError(`not a pluginType: ${String(pluginType)}`);
  return kind;
}

/** `functions` for `function`: the manifest list and the package folder of a kind. */
export function symbolListOf(kind: SymbolKind): SymbolList {
  return SYMBOL_KIND_SPELLINGS[kind].manifest;
}

/** `function` for `functions` (a REST path segment, a folder name); undefined for anything else. */
export function kindOfSymbolList(list: string): SymbolKind | undefined {
  return SYMBOL_KINDS.find((k) => SYMBOL_KIND_SPELLINGS[k].manifest === list);
}

/** The symbol names of `kind` a manifest declares. */
export function symbolsOf(manifest: PluginManifest, kind: SymbolKind): readonly string[] {
  return manifest[symbolListOf(kind)];
}
