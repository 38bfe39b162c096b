// The package format (@portable-plugins/package) as the host uses it: the
// same functions, whose PackageErrors come out as HostErrors with the same
// code, message and context, so REST, the CLI and embedders keep switching on
// HostError codes. Every host module reads packages through this file.

import * as format from "@portable-plugins/package";
import { PackageError } from "@portable-plugins/package";
import { HostError } from "../errors.js";

export {
  type ConfigSet,
  DEFAULT_CONF_KEY,
  DEFAULT_INSTALL_SCRIPT_TIMEOUT_MS,
  DEFAULT_LIMITS,
  type ExtractLimits,
  INSTALL_SCRIPT,
  type PackageCheckOptions,
  pluginCommand,
  type ResolvedConfig,
  relocate,
  resolveConfig,
  symbolFile,
} from "@portable-plugins/package";

/** `err` as a HostError when it is a PackageError (same code and context), else itself. */
export function hostErrorOf(err: unknown): unknown {
  return PackageError.is(err) ? new HostError(err.code, err.message, err.context) : err;
}

function throwingHostErrors<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  return (...args) =>
    fn(...args).catch((err: unknown) => {
      throw hostErrorOf(err);
    });
}

/** Extracts a zip into an existing, empty folder (see @portable-plugins/package). */
export const extractZip = throwingHostErrors(format.extractZip);
/** Copies a plugin folder into an existing, empty folder under the same limits. */
export const copyFolder = throwingHostErrors(format.copyFolder);
/** Checks a plugin folder; returns what the registry records. */
export const checkPackage = throwingHostErrors(format.checkPackage);
/** Runs a package's install.sh in its folder; PORTABLE_E_INSTALL_SCRIPT on failure. */
export const runInstallScript = throwingHostErrors(format.runInstallScript);
/** Reads and parses `sources/<s>.yaml`; PORTABLE_E_CONFIG when invalid. */
export const readConfigSet = throwingHostErrors(format.readConfigSet);
/** Reads a symbol description `<kind>/<s>.json`; PORTABLE_E_CONFIG when invalid. */
export const readDescription = throwingHostErrors(format.readDescription);

/** Parses a source's YAML configuration set; PORTABLE_E_CONFIG when invalid. */
export function parseConfigSet(
  ...args: Parameters<typeof format.parseConfigSet>
): format.ConfigSet {
  try {
    return format.parseConfigSet(...args);
  } catch (err) {
    throw hostErrorOf(err);
  }
}
