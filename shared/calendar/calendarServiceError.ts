import { AppError, type ErrorCode } from '../errors.js';

/**
 * A request the calendar service (Microsoft Graph) answered with a failure: the service's error code
 * plus what the calendar service said (its HTTP status, its own error code, the request id), so that
 * traces and support can follow one request across both sides. Use cases tell these apart from
 * failures of our own infrastructure (store, bus), which are retried instead of blamed on the user.
 */
export class CalendarServiceError extends AppError {
  readonly status: number;
  /** The calendar service's own error code, e.g. `ErrorItemNotFound`. */
  readonly serviceCode: string;
  readonly requestId: string | undefined;

  constructor(
    code: ErrorCode,
    details: {
      status: number;
      serviceCode: string;
      requestId?: string | undefined;
      retryAfterMs?: number | undefined;
      message: string;
      cause?: unknown;
    },
  ) {
    super(code, details.message, { cause: details.cause, retryAfterMs: details.retryAfterMs });
    this.name = 'CalendarServiceError';
    this.status = details.status;
    this.serviceCode = details.serviceCode;
    this.requestId = details.requestId;
  }
}

export function isCalendarServiceError(error: unknown): error is CalendarServiceError {
  return error instanceof CalendarServiceError;
}
