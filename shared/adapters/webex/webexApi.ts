import type { z } from 'zod';
import { AppError } from '../../errors.js';

/**
 * One call to the Webex REST API with the service's token. A 429 becomes `throttled` carrying
 * Webex's `Retry-After`, so the message is retried after that pause (never sooner); 5xx and an
 * unreachable Webex are transient, other 4xx permanent.
 */
export async function callWebex<T>(
  options: { baseUrl: string; accessToken: string },
  request: { method: string; path: string; body?: unknown; what: string },
  schema: z.ZodType<T>,
): Promise<T> {
  const { method, path, body, what } = request;
  let response: Response;
  try {
    response = await fetch(`${options.baseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.accessToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (error) {
    throw new AppError('dependency-unavailable', `Webex ${what}: unreachable`, { cause: error });
  }
  if (response.status === 429) {
    const seconds = Number(response.headers.get('retry-after'));
    throw new AppError('throttled', `Webex ${what}: throttled`, {
      retryAfterMs: Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 3600) * 1000 : 1000,
    });
  }
  if (response.status === 401 || response.status === 403)
    throw new AppError('unauthorized', `Webex ${what}: refused (${response.status})`);
  if (response.status >= 500)
    throw new AppError('dependency-unavailable', `Webex ${what}: answered ${response.status}`);
  if (response.status >= 400)
    throw new AppError('request-rejected', `Webex ${what}: answered ${response.status}`);
  const parsed = schema.safeParse(response.status === 204 ? {} : await response.json());
  if (!parsed.success) throw new AppError('dependency-unavailable', `Webex ${what}: unexpected answer`);
  return parsed.data;
}
