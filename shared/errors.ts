/**
 * Every failure the service raises on purpose carries one of these codes. The code, not the message,
 * decides what happens next: whether a message is retried or dead-lettered, and which HTTP status a
 * caller sees.
 */
export type ErrorCode =
  /** Settings missing or invalid at start-up. Permanent until someone fixes the configuration. */
  | 'configuration-invalid'
  /** Input from outside (HTTP body, message, document) failed its schema. Permanent. */
  | 'input-invalid'
  /** The thing asked for does not exist. Permanent. */
  | 'not-found'
  /** A document with that id already exists. Permanent for that write. */
  | 'already-exists'
  /** A conditional write lost the race (If-Match failed). Re-read and try again. */
  | 'precondition-failed'
  /** A dependency asked us to slow down (429 and friends). Transient. */
  | 'throttled'
  /** A dependency failed or could not be reached. Transient. */
  | 'dependency-unavailable'
  /** A wrapped key could not be unwrapped: wrong key, tampered data or unknown key version. Permanent. */
  | 'key-unwrap-failed'
  /** A scheduled message to cancel is not (or no longer) scheduled. Permanent. */
  | 'message-not-scheduled'
  /** A dependency refused our credentials or permissions (401/403). Permanent until consent or setup changes. */
  | 'unauthorized'
  /** The mailbox left Exchange Online (moved on-premises, deleted, unlicensed). Permanent. */
  | 'mailbox-gone'
  /** A delta token is no longer valid (410): start a full sync. Permanent for that token. */
  | 'sync-state-expired'
  /** The user's refresh token no longer works: they must connect their calendar again. Permanent. */
  | 'reauthorization-required'
  /** A dependency refused the request as malformed (a 4xx not covered above). Permanent. */
  | 'request-rejected'
  /** A dependency answered with a body that does not match its schema. Permanent: it would answer the same again. */
  | 'unexpected-response'
  /** A caller presented no valid bearer token. */
  | 'unauthenticated'
  /** A caller's token is valid but does not allow this. */
  | 'forbidden'
  /** A request body over the size limit. */
  | 'payload-too-large';

const transientCodes: ReadonlySet<ErrorCode> = new Set(['throttled', 'dependency-unavailable']);

export interface AppErrorOptions {
  cause?: unknown;
  /** Milliseconds the dependency asked us to wait before trying again, when it said so. */
  retryAfterMs?: number;
}

/** The one error type the service throws on purpose. Messages never carry personal data or secrets. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** True when trying again later can succeed; false when only a change of input or setup can. */
  get transient(): boolean {
    return transientCodes.has(this.code);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

export function hasErrorCode(error: unknown, code: ErrorCode): error is AppError {
  return isAppError(error) && error.code === code;
}

/** Whether a failure should be retried: unknown errors count as transient so that nothing is lost. */
export function isTransient(error: unknown): boolean {
  return isAppError(error) ? error.transient : true;
}

const httpStatusByCode: Record<ErrorCode, number> = {
  'configuration-invalid': 500,
  'input-invalid': 400,
  'not-found': 404,
  'already-exists': 409,
  'precondition-failed': 412,
  throttled: 503,
  'dependency-unavailable': 503,
  'key-unwrap-failed': 500,
  'message-not-scheduled': 404,
  unauthorized: 502,
  'mailbox-gone': 404,
  'sync-state-expired': 410,
  'reauthorization-required': 401,
  'request-rejected': 502,
  'unexpected-response': 502,
  unauthenticated: 401,
  forbidden: 403,
  'payload-too-large': 413,
};

/** The HTTP status a caller sees for an error; anything unexpected is a 500. */
export function httpStatusFor(error: unknown): number {
  return isAppError(error) ? httpStatusByCode[error.code] : 500;
}
