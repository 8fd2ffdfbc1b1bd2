import { AppError, type ErrorCode } from '../errors.js';

/**
 * A failed Graph request: the service's error code plus what Graph said (its error code, HTTP
 * status, request id), so that traces and support can follow one request across both sides.
 */
export class GraphRequestError extends AppError {
  readonly status: number;
  readonly graphCode: string;
  readonly requestId: string | undefined;

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
    super(code, details.message, { cause: details.cause, retryAfterMs: details.retryAfterMs });
    this.name = 'GraphRequestError';
    this.status = details.status;
    this.graphCode = details.graphCode;
    this.requestId = details.requestId;
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
