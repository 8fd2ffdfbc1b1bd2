export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait when the answer names none, doubled on each attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Up to this fraction is added at random, so that throttled callers do not return in step. */
  jitter: number;
}

export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  jitter: 0.2,
};

/** Graph's answers worth trying again: throttling and passing server trouble. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 503 || status === 504 || status === 502;
}

/**
 * How long to wait before attempt `attempt + 1`: what Retry-After asked for (never less), otherwise
 * exponential backoff; both with jitter on top and capped.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  const base = retryAfterMs ?? policy.baseDelayMs * 2 ** (attempt - 1);
  return Math.min(policy.maxDelayMs, base + base * policy.jitter * random());
}
