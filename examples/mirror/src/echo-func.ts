// `echo`: returns its only argument. Typed by the signature in
// functions/echo.json: one argument of any JSON type, any result. A host that
// checks types (ours) refuses another arity before the plugin sees it; the
// check in `validate` is for hosts that do not (eKuiper's).

import type { TypedFunction } from "@portable-plugins/sdk";
import type { MirrorTypes } from "./gen/types.js";

export const echo: TypedFunction<MirrorTypes["functions"]["echo"]> = {
  validate(args) {
    if (args.length !== 1) throw new Error(`echo takes exactly one argument, got ${args.length}`);
  },
  exec([value]) {
    return value;
  },
  isAggregate: () => false,
};
