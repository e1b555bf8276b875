import { HttpStatus } from '@nestjs/common';

/** Stable error codes that clients rely on, with the HTTP status each maps to. */
export const ERROR_STATUS = {
  VALIDATION_FAILED: HttpStatus.BAD_REQUEST,
  BAD_REQUEST: HttpStatus.BAD_REQUEST,
  UNKNOWN_FILTER_VALUE: HttpStatus.BAD_REQUEST,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  INVALID_TRANSITION: HttpStatus.CONFLICT,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  PRECONDITION_FAILED: HttpStatus.PRECONDITION_FAILED,
  PRECONDITION_REQUIRED: HttpStatus.PRECONDITION_REQUIRED,
  UNPROCESSABLE: HttpStatus.UNPROCESSABLE_ENTITY,
  UNKNOWN_REFERENCE: HttpStatus.UNPROCESSABLE_ENTITY,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
  NOT_READY: HttpStatus.SERVICE_UNAVAILABLE,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface FieldProblem {
  field: string;
  messages: string[];
}

/**
 * The one exception type the platform throws for expected failures. The global filter
 * turns it into `{ statusCode, code, message, details?, requestId }`.
 */
export class AppException extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppException';
    this.status = ERROR_STATUS[code];
  }

  static notFound(what: string): AppException {
    return new AppException('NOT_FOUND', `${what} not found`);
  }
}
