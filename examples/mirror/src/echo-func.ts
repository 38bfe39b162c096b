// `echo`: returns its only argument.

import type { JsonValue } from "@portable-plugins/protocol";
import type { PluginFunction } from "@portable-plugins/sdk";

export const echo: PluginFunction = {
  validate(args: JsonValue[]) {
    if (args.length !== 1) throw new Error(`echo takes exactly one argument, got ${args.length}`);
  },
  exec(args: JsonValue[]) {
    return args[0] ?? null;
  },
  isAggregate: () => false,
};
