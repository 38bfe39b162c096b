// @portable-plugins/host: installs, configures, runs and serves portable
// plugins. This entry exports PortableHost and its symbol proxies, the
// supervisor, the registry (install/update/uninstall/load), the runtime
// contract between them, symbol configuration, the REST server, the debug
// server and the typed error; everything else is internal.

export {
  DEBUG_HANDSHAKE_TIMEOUT_MS,
  DEBUG_META,
  DEBUG_PORT,
  DebugServer,
  type DebugServerOptions,
} from "./debug/debug-server.js";
export { DEFAULT_SAMPLES, type DebugSamples, parseSamples } from "./debug/samples.js";
export {
  HOST_ERROR_CODES,
  HostError,
  type HostErrorCode,
  type HostErrorContext,
} from "./errors.js";
export { dataLayout, PortableHost, type PortableHostOptions } from "./host.js";
export type { FetchFn } from "./install/download.js";
export {
  type ConfigSet,
  DEFAULT_CONF_KEY,
  DEFAULT_LIMITS,
  type ExtractLimits,
  extractZip,
  parseConfigSet,
  type ResolvedConfig,
  resolveConfig,
} from "./install/package-format.js";
export {
  type InstalledPlugin,
  type PluginDetails,
  type PluginInfo,
  type SymbolInfo,
  toPluginInfo,
} from "./install/plugin.js";
export {
  type ChangeOptions,
  type InstallOptions,
  type LoadReport,
  Registry,
  type RegistryOptions,
} from "./install/registry.js";
export { type HostLogger, type LogLevel, silentLogger, stderrLogger } from "./logger.js";
export { checkPluginName } from "./names.js";
export { createRestServer, type RestServer, type RestServerOptions } from "./rest/server.js";
export { type SymbolRunner, TRY_RULE_ID } from "./rest/symbols.js";
export { ControlChannel, type ControlChannelOptions } from "./run/control-channel.js";
export { FunctionCallError } from "./run/function-batcher.js";
export type { ExecOutcome } from "./run/function-channel.js";
/** One supervised plugin process; advanced use (the debug server drives one by hand). */
export type { ManagedPlugin, Phase, PluginRuntimeInfo } from "./run/managed-plugin.js";
export { type ExitInfo, exitReason, type LaunchCommand, launchCommand } from "./run/process.js";
export type { CallContext, FunctionProxy } from "./run/proxies/function.js";
export type { InstanceMeta } from "./run/proxies/instance.js";
export type {
  SinkOptions,
  SinkProxy,
  SinkStats,
  WriteOptions,
} from "./run/proxies/sink.js";
export { DEFAULT_SINK_WINDOW, type SinkV2Stats } from "./run/proxies/sink-v2.js";
export type { SourceOptions, SourceProxy, SourceRow } from "./run/proxies/source.js";
export { Supervisor } from "./run/supervisor.js";
export {
  DEFAULT_RESTART,
  DEFAULT_TIMEOUTS,
  type HostTimeouts,
  type PluginEnv,
  type RestartPolicy,
  type SupervisorOptions,
} from "./run/supervisor-options.js";
export { type PluginRuntime, stoppedStatus } from "./runtime.js";
export { defaultStatePath, openStateStore, type StateOptions } from "./state/open.js";
export { type RedisStateOptions, RedisStateStore } from "./state/redis.js";
export { type SqliteStateOptions, SqliteStateStore } from "./state/sqlite.js";
export {
  DEFAULT_STATE_LIMITS,
  type StateBackendName,
  type StateEntry,
  type StateInstance,
  type StateLimits,
  type StateSnapshot,
  type StateStore,
} from "./state/store.js";
