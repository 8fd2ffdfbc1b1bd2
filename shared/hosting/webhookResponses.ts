import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { AppError } from '../errors.js';
import { readBodyText } from './httpRequests.js';

/** Graph's validation handshake: the token echoed as plain text, never as anything a browser renders. */
export function validationEcho(token: string): HttpResponseInit {
  return {
    status: 200,
    body: token,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    },
  };
}

/** Notification batches of 1,000 stay well under this. */
export const maxNotificationBodyBytes = 2 * 1024 * 1024;

/** A notification body as JSON: 413 over the limit, 400 when it is not JSON at all. */
export async function readNotificationJson(request: HttpRequest): Promise<unknown> {
  const text = await readBodyText(request, maxNotificationBodyBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('input-invalid', 'The body must be JSON.');
  }
}
