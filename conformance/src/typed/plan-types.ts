// What a `checkTypes` case needs of its symbol (PROTOCOL.md §6.4.1), decided
// when the suite plans it: the declared types, and generators for them when
// the case sends values (function arguments, sink rows). A symbol without
// types, or with a schema outside the generator's subset, is a skip whose
// reason says so — never a silent pass. Also how a case's seed is derived.

import type { FunctionSignature, JsonSchema, PluginSchemas } from "@portable-plugins/package";
import type { JsonValue } from "@portable-plugins/protocol";
import fc from "fast-check";
import type { Kind } from "../scenario/types.js";
import { arbitraryFor } from "./schema-arbitrary.js";

/** Further arguments a generated call passes to a variadic parameter, at most. */
const MAX_VARIADIC = 3;

/** The generator for an argument list that fits the signature, or why there is none. */
export function argsArbitrary(
  sig: FunctionSignature,
): { arbitrary: fc.Arbitrary<JsonValue[]> } | { skip: string } {
  const part = (schema: JsonSchema, where: string) => {
    const built = arbitraryFor(schema);
    if (!built.ok) throw new Skip(`${where}${built.pointer}: ${built.reason}`);
    return built.arbitrary;
  };
  try {
    const required = sig.params.filter((p) => !p.optional);
    const optional = sig.params.filter((p) => p.optional);
    const req = required.map((p) => part(p.schema, `parameter ${p.name}: schema`));
    const opt = optional.map((p) => part(p.schema, `parameter ${p.name}: schema`));
    const rest = sig.variadic
      ? fc.array(part(sig.variadic.schema, `variadic ${sig.variadic.name}: schema`), {
          maxLength: MAX_VARIADIC,
        })
      : fc.constant([] as JsonValue[]);
    const arbitrary = fc
      .tuple(fc.tuple(...req), fc.integer({ min: 0, max: opt.length }), fc.tuple(...opt), rest)
      // Optional parameters are positional: the first `n` of them; variadic ones only after all.
      .map(([r, n, o, v]) => [...r, ...o.slice(0, n), ...(n === opt.length ? v : [])]);
    return { arbitrary };
  } catch (err) {
    if (err instanceof Skip) return { skip: err.message };
    throw err;
  }
}

class Skip extends Error {}

/** Why a checkTypes case of `kind`/`symbol` cannot run, or undefined when it can. */
export function typesSkip(schemas: PluginSchemas, kind: Kind, symbol: string): string | undefined {
  const none = (what: string) =>
    `${kind} ${symbol} declares no ${what} in its description file (§6.4.1): nothing to check`;
  if (kind === "function") {
    const sig = schemas.functions.get(symbol);
    if (!sig) return none("signature");
    const args = argsArbitrary(sig);
    return "skip" in args ? `outside the generator's subset: ${args.skip}` : undefined;
  }
  const row = (kind === "source" ? schemas.sources : schemas.sinks).get(symbol)?.row;
  if (row === undefined) return none("row schema");
  if (kind === "source") return undefined;
  const built = arbitraryFor(row);
  return built.ok
    ? undefined
    : `outside the generator's subset: row schema${built.pointer}: ${built.reason}`;
}

/** The seed of one case: the run's seed mixed with the case id, so `--only` reproduces it. */
export function caseSeed(seed: number, id: string): number {
  let h = seed | 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h | 0;
}
