// Errors on the wire, in the reference host's shape `{"error":<int>,"message"}`
// (1000 for most, 1002 for "not found") plus our stable `code`.

import type { ErrorCode } from "@portable-plugins/protocol";
import { HostError, type HostErrorCode } from "../errors.js";

/** The reference's numeric error codes (eKuiper errorx). */
const UNDEFINED_ERR = 1000;
const NOT_FOUND_ERR = 1002;

/** The code of a failure that is not a HostError: only REST answers carry it (PROTOCOL.md §9.5). */
export const INTERNAL_ERROR_CODE = "PORTABLE_E_INTERNAL" satisfies ErrorCode;

export interface ErrorBody {
  error: number;
  message: string;
  code: HostErrorCode | typeof INTERNAL_ERROR_CODE;
}

const STATUS: Partial<Record<HostErrorCode, number>> = {
  PORTABLE_E_NOT_FOUND: 404,
  PORTABLE_E_UNAUTHORIZED: 401,
  PORTABLE_E_FORBIDDEN: 403,
  PORTABLE_E_METHOD: 405,
  PORTABLE_E_CANCELLED: 503,
  PORTABLE_E_CLOSED: 503,
  PORTABLE_E_STATE: 503,
  PORTABLE_E_RUNTIME: 500,
  PORTABLE_E_INSTALL: 500,
};

/** The HTTP status and body for `err`, its message prefixed like the reference's. */
export function errorResponse(err: unknown, prefix: string): { status: number; body: ErrorBody } {
  const join = (detail: string) => (prefix ? `${prefix}: ${detail}` : detail);
  if (HostError.is(err)) {
    const status = STATUS[err.code] ?? 400;
    return {
      status,
      body: {
        error: status === 404 ? NOT_FOUND_ERR : UNDEFINED_ERR,
        message: join(err.message),
        code: err.code,
      },
    };
  }
  const detail = err instanceof Error ? err.message : String(err);
  return {
    status: 500,
    body: { error: UNDEFINED_ERR, message: join(detail), code: INTERNAL_ERROR_CODE },
  };
}
