// Quirks a decoder accepts but reports (PROTOCOL.md §9): the bytes came from
// a peer that deviates from the spec in a known, tolerated way.

export type QuirkCode =
  /** `datasource` instead of `dataSource` (Python SDK spelling). */
  | "datasource-alias"
  /** the data source given inside `config` (eKuiper 2.x). */
  | "datasource-in-config"
  /** a source error sent as a JSON string holding the error object (Go SDK). */
  | "error-as-string"
  /** the Go SDK's error string is not JSON (it inserts the text unescaped): the whole string is the error. */
  | "error-string-unparsable"
  /** a success ack written as `{"error":""}`. */
  | "ack-empty-error"
  /** a key matched only case-insensitively, as Go's decoder allows. */
  | "key-case";

export interface DecodeWarning {
  readonly code: QuirkCode;
  /** Dotted path of the field concerned. */
  readonly field: string;
}

export interface Decoded<T> {
  readonly value: T;
  readonly warnings: readonly DecodeWarning[];
}
