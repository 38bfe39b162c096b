// @portable-plugins/sdk: write portable plugins in TypeScript. Declare the
// plugin's symbols with `definePlugin`, then `startPlugin` in the program the
// host runs.

// The JSON types the symbols' signatures use, so a plugin needs no other import.
export type { JsonObject, JsonValue } from "@portable-plugins/protocol";
export type {
  Context,
  FunctionContext,
  Logger,
  LogLevel,
  PluginDefinition,
  PluginFunction,
  Sink,
  SinkData,
  Source,
  SourceContext,
  SourceTuple,
} from "./api.js";
export {
  SDK_ERROR_CODES,
  SdkError,
  type SdkErrorCode,
  type SdkErrorContext,
} from "./errors.js";
export { createLogger } from "./logger.js";
export { definePlugin } from "./runtime/definition.js";
export { DESCRIBE_ENV, describePlugin, type PluginDescription } from "./runtime/describe.js";
export { type RunningPlugin, type StartOptions, startPlugin } from "./runtime/plugin-runtime.js";
export type {
  FunctionTypes,
  PluginTypes,
  SymbolTypes,
  TypedFunction,
  TypedPluginDefinition,
  TypedSink,
  TypedSinkData,
  TypedSource,
  TypedSourceContext,
  TypedSourceTuple,
} from "./typed.js";
