// @portable-plugins/host: installs, configures and serves portable plugins.
// This entry exports the registry (install/update/uninstall/load), the
// runtime contract a supervisor implements, symbol configuration, the REST
// server and the typed error; everything else is internal.

export type { FetchFn } from "./download.js";
export { HostError, type HostErrorCode, type HostErrorContext } from "./errors.js";
export {
  checkPluginName,
  controlSocketPath,
  functionSocketPath,
  MAX_SOCKET_PATH_BYTES,
  type SymbolKind,
} from "./names.js";
export {
  type InstalledPlugin,
  LANGUAGES,
  type Language,
  type PluginDetails,
  type PluginInfo,
  type SymbolInfo,
  toPluginInfo,
} from "./plugin.js";
export {
  type InstallOptions,
  type LoadReport,
  Registry,
  type RegistryOptions,
} from "./registry.js";
export { createRestServer, type RestServer, type RestServerOptions } from "./rest/server.js";
export { type PluginRuntime, stoppedStatus } from "./runtime.js";
export {
  type ConfigSet,
  DEFAULT_CONF_KEY,
  parseConfigSet,
  type ResolvedConfig,
  resolveConfig,
} from "./symbol-config.js";
export { DEFAULT_LIMITS, type ExtractLimits, extractZip } from "./unzip.js";
