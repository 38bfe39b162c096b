// An error a plugin's code throws to say what the host should do about it
// (PROTOCOL.md §12.6): RETRYABLE, BACKOFF or FATAL. Version 2 carries the
// class in its typed errors (a sink's failed ack, a source's error, a
// function's failed call); version 1 has only the message text.

import type { ErrorClass } from "@portable-plugins/protocol";

export type { ErrorClass };

export class PluginError extends Error {
  override readonly name = "PluginError";
  /** What the host should do: send again now, after a delay, or never. */
  readonly errorClass: ErrorClass;

  constructor(message: string, errorClass: ErrorClass, options?: { cause?: unknown }) {
    super(message, options);
    this.errorClass = errorClass;
  }
}

const CLASSES: readonly string[] = ["RETRYABLE", "BACKOFF", "FATAL"];

/** The class a thrown value says it has (a PluginError, or any error with `errorClass`), else `fallback`. */
export function errorClassOf(err: unknown, fallback: ErrorClass): ErrorClass {
  const cls = (err as { errorClass?: unknown } | null)?.errorClass;
  return typeof cls === "string" && CLASSES.includes(cls) ? (cls as ErrorClass) : fallback;
}
