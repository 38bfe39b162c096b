// The shape of a message as the generator reads it from the .proto schemas:
// wire key, kind and the wire options of every field (schemas/options.proto).

export type FieldKind =
  /** JSON string */
  | "string"
  /** JSON true/false */
  | "bool"
  /** JSON number that must be a safe integer (int32/int64 in the schema) */
  | "int"
  /** any JSON number */
  | "double"
  /** any JSON value (google.protobuf.Value) */
  | "value"
  /** a JSON object of arbitrary content (google.protobuf.Struct) */
  | "object"
  /** another message of the schema */
  | "message";

export interface FieldDescriptor {
  /** Property name in TypeScript. */
  readonly name: string;
  /** Key on the wire. */
  readonly json: string;
  readonly kind: FieldKind;
  readonly message?: () => MessageDescriptor;
  readonly repeated?: boolean;
  /** A map from string keys to values of `kind`. */
  readonly map?: boolean;
  readonly omitEmpty?: boolean;
  readonly jsonString?: boolean;
  readonly oneOf?: readonly string[];
  readonly aliases?: readonly string[];
  readonly nullable?: boolean;
  readonly required?: boolean;
  /** The JSON types a `value` field may hold (any when absent). */
  readonly jsonTypes?: readonly JsonType[];
}

/** A JSON value's type, as `json_types` in the schema names it. */
export type JsonType = "object" | "array" | "string" | "number" | "boolean" | "null";

export interface MessageDescriptor {
  /** The message name in the schema, e.g. "Control". */
  readonly name: string;
  readonly fields: readonly FieldDescriptor[];
  /** Not JSON on the wire but text: the name of its form in text-forms.ts. */
  readonly textForm?: string;
  /** On the wire the JSON value of the only field, not an object. */
  readonly bare?: boolean;
}
