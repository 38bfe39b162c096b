// What the suite runs: one plugin, unpacked and validated like a host does,
// with what the runner needs to launch it and to fill protocol-level cases.

import type { PluginSchemas } from "@portable-plugins/package";
import type { JsonObject, Language, PluginManifest } from "@portable-plugins/protocol";

export interface Subject {
  /** The plugin name: the manifest's file name, which names the control channel. */
  readonly name: string;
  /** What the user passed on the command line (report column header). */
  readonly label: string;
  /** The folder the plugin runs in (a private copy, removed by `dispose`). */
  readonly dir: string;
  readonly manifest: PluginManifest;
  readonly language: Language;
  readonly executablePath: string;
  /** The `default` section of `sources/<source>.yaml`, per source (PROTOCOL.md §6.3). */
  readonly sourceDefaults: Readonly<Record<string, JsonObject>>;
  /** The types its description files declare (PROTOCOL.md §6.4.1); empty maps when none. */
  readonly schemas: PluginSchemas;
  dispose(): Promise<void>;
}
