// The shape of a version-2 message as the generator reads it from
// schemas/portable_v2.proto: field numbers and protobuf types for the binary
// form, JSON names for the JSON form (PROTOCOL.md §12.2).

export type V2FieldKind =
  | "uint32"
  | "uint64"
  | "int64"
  | "bool"
  | "string"
  | "bytes"
  /** a schema enum: a name on the TypeScript side and in JSON, its number in binary */
  | "enum"
  /** another message of the schema */
  | "message"
  /** google.protobuf.Struct: a JSON object */
  | "struct"
  /** google.protobuf.Value: any JSON value */
  | "value"
  /** google.protobuf.ListValue: a JSON array */
  | "list";

export interface V2FieldDescriptor {
  /** Property name in TypeScript and key in the JSON form. */
  readonly name: string;
  /** Field number in the binary form. */
  readonly no: number;
  readonly kind: V2FieldKind;
  readonly repeated?: boolean;
  /** Absent when empty (`?` in TypeScript). */
  readonly optional?: boolean;
  /** The empty value (0, "", unset) is a decode error. */
  readonly required?: boolean;
  readonly message?: () => V2MessageDescriptor;
  /** Enum names and numbers, without the 0 value. */
  readonly enumValues?: Readonly<Record<string, number>>;
}

export interface V2MessageDescriptor {
  readonly name: string;
  /** The kind byte after the version byte; only messages that are a whole body. */
  readonly v2Kind?: number;
  readonly fields: readonly V2FieldDescriptor[];
}
