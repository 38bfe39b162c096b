// The state channel of version 2 (PROTOCOL.md §13): its limits. A host and an
// SDK both read them from here, so a put the SDK lets through is one the host
// accepts by default (a host MAY be configured stricter; it answers a typed
// PORTABLE_E_STATE_QUOTA then).

/** PROTOCOL.md §13.5: what one instance's state may hold. */
export const STATE_LIMITS = {
  /** UTF-8 bytes of a key (at least 1). */
  maxKeyBytes: 256,
  /** Bytes of one value. */
  maxValueBytes: 1_048_576,
  /** Keys one symbol instance may hold. */
  maxKeysPerInstance: 1024,
} as const;
