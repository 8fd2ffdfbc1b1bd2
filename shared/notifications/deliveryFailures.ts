import { isAppError } from '../errors.js';

/** Failures raised before a request left this machine: nobody can have received it. */
const beforeSendingCodes: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** Answers that refuse the request (4xx, incl. 429 with its Retry-After): nothing was delivered. */
const refusedCodes: ReadonlySet<string> = new Set(['throttled', 'unauthorized', 'request-rejected']);

/** A channel's failure that it knows reached nobody (as a cause of the error it throws). */
export class NothingDelivered extends Error {
  override readonly name = 'NothingDelivered';
}

/** A channel's failure after which some of its receivers have the notification (as a cause). */
export class SomeDelivered extends Error {
  override readonly name = 'SomeDelivered';
}

/**
 * Whether a failed send proves that nothing was delivered, so that trying again cannot make a
 * duplicate: a connection refused or a name not resolved before sending, or an answer that refused
 * the request (a 4xx). A timeout, a 5xx or an answer that could not be read may hide a delivery.
 */
export function nothingWasDelivered(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause && depth < 5; depth++) {
    if (cause instanceof SomeDelivered) return false;
    if (cause instanceof NothingDelivered) return true;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && beforeSendingCodes.has(code)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return isAppError(error) && refusedCodes.has(error.code);
}
