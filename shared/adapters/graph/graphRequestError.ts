import { CalendarServiceError } from '../../calendar/calendarServiceError.js';
import type { ErrorCode } from '../../errors.js';

/** A failed Graph request: the calendar port's error, with Graph's own error code under its own name. */
export class GraphRequestError extends CalendarServiceError {
  constructor(
    code: ErrorCode,
    details: {
      status: number;
      graphCode: string;
      requestId?: string | undefined;
      retryAfterMs?: number | undefined;
      message: string;
      cause?: unknown;
    },
  ) {
    super(code, { ...details, serviceCode: details.graphCode });
    this.name = 'GraphRequestError';
  }

  get graphCode(): string {
    return this.serviceCode;
  }
}

export function isGraphRequestError(error: unknown): error is GraphRequestError {
  return error instanceof GraphRequestError;
}

/** The service's error code for a Graph answer: Graph's own code first, then the HTTP status. */
export function errorCodeForGraph(status: number, graphCode: string): ErrorCode {
  if (graphCode.toLowerCase() === 'mailboxnotenabledforrestapi') return 'mailbox-gone';
  if (status === 410 || /syncStateNotFound|SyncStateInvalid/i.test(graphCode)) return 'sync-state-expired';
  if (status === 429) return 'throttled';
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 409) return 'already-exists';
  if (status === 412) return 'precondition-failed';
  if (status >= 500 || status === 408) return 'dependency-unavailable';
  return 'request-rejected';
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
}
