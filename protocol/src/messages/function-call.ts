// Function calls and their replies (PROTOCOL.md §4.6). On the wire a call is
// FuncCall {func, arg}; Exec's `arg` is the argument list with the function
// context appended as a JSON string. Here the three calls are a typed union.

import { parseJson } from "../codec/schema-codec.js";
import type { Decoded, DecodeWarning } from "../codec/warnings.js";
import { ProtocolError } from "../errors.js";
import { FuncCall, FuncMeta } from "../gen/portable.js";
import type { JsonValue } from "../json.js";

export type FunctionCall =
  | { readonly func: "Validate"; readonly args: JsonValue[] }
  | { readonly func: "Exec"; readonly args: JsonValue[]; readonly context: FuncMeta }
  | { readonly func: "IsAggregate" };

export function encodeFunctionCall(call: FunctionCall): Buffer {
  switch (call.func) {
    case "Validate":
      return FuncCall.encode({ func: "Validate", arg: call.args });
    case "Exec":
      return FuncCall.encode({
        func: "Exec",
        arg: [...call.args, FuncMeta.encodeToString(call.context)],
      });
    case "IsAggregate":
      return FuncCall.encode({ func: "IsAggregate", arg: null });
  }
}

export function decodeFunctionCallWithWarnings(input: Uint8Array | string): Decoded<FunctionCall> {
  const warnings: DecodeWarning[] = [];
  const raw = FuncCall.fromJson(parseJson(input, "FuncCall"), "", warnings);
  const argsOf = (what: string): JsonValue[] => {
    if (!Array.isArray(raw.arg)) {
      throw new ProtocolError(
        "PORTABLE_E_DECODE",
        "FuncCall",
        "arg",
        `${what} takes an argument list`,
      );
    }
    return raw.arg;
  };
  switch (raw.func) {
    case "Validate":
      return { value: { func: "Validate", args: argsOf("Validate") }, warnings };
    case "IsAggregate":
      return { value: { func: "IsAggregate" }, warnings };
    case "Exec": {
      const all = argsOf("Exec");
      const last = all[all.length - 1];
      const field = `arg[${all.length - 1}]`;
      if (typeof last !== "string") {
        throw new ProtocolError(
          "PORTABLE_E_DECODE",
          "FuncCall",
          all.length ? field : "arg",
          "Exec's last argument must be the function context, a JSON string",
        );
      }
      const context = FuncMeta.fromJson(parseJson(last, "FuncCall", field), field, warnings);
      return { value: { func: "Exec", args: all.slice(0, -1), context }, warnings };
    }
  }
}

export function decodeFunctionCall(input: Uint8Array | string): FunctionCall {
  return decodeFunctionCallWithWarnings(input).value;
}
