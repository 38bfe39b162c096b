// @portable-plugins/package: the plugin package format (PROTOCOL.md §3.2, §6):
// the manifest and its checks, safe unpacking of a zip or copying of a
// folder, the symbol configuration files, install.sh, and the command line
// that starts a plugin. Used by the host's installer and by the conformance
// suite, so both read a package the same way. Errors are PackageErrors.
// The protocol's facts it builds on (symbol kinds and their folders,
// languages, socket paths) are @portable-plugins/protocol's: import them there.
// Typed symbols (§6.4): the schemas of description files, checked with ajv.

export { checkPackage, relocate } from "./check.js";
export {
  PACKAGE_ERROR_CODES,
  PackageError,
  type PackageErrorCode,
  type PackageErrorContext,
} from "./errors.js";
export { copyFolder } from "./folder-copy.js";
export {
  DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS,
  INSTALL_SCRIPT,
  type InstallScriptOptions,
  runInstallScript,
} from "./install-script.js";
export {
  type Interpreters,
  type Launchable,
  type PluginCommand,
  PORTABLE_CONFIG,
  pluginCommand,
} from "./launch.js";
export { checkManifest, type PluginPackage, readManifest } from "./manifest.js";
export { pluginNameProblem, symbolNameProblem } from "./names.js";
export { collectSchemas, type ReadSchemasOptions, readPluginSchemas } from "./read-schemas.js";
export {
  compileSchema,
  createSchemaAjv,
  type JsonSchema,
  pointerOf,
  type SchemaProblem,
} from "./schema-ajv.js";
export {
  type CompiledSchemas,
  type CompiledSignature,
  type CompiledSymbol,
  compileSchemas,
  type ValueProblem,
} from "./schema-check.js";
export {
  type ConfigSet,
  DEFAULT_CONF_KEY,
  parseConfigSet,
  type ResolvedConfig,
  readConfigSet,
  readDescription,
  resolveConfig,
} from "./symbol-config.js";
export { type PackageCheckOptions, symbolFile } from "./symbol-files.js";
export {
  type DescriptionOrigin,
  type FunctionSignature,
  type ParamSignature,
  type PluginSchemas,
  parseFunctionSignatures,
  parseSignature,
  parseSymbolSchemas,
  type SymbolSchemas,
  schemaError,
  type VariadicSignature,
} from "./symbol-schemas.js";
export { DEFAULT_LIMITS, type ExtractLimits, extractZip, safeEntrySegments } from "./unzip.js";
