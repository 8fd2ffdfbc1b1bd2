import type { ErrorReason } from '../watch/watchedUser.js';
import type { RefusedRefreshTokenReason } from './reconnectReasons.js';

/**
 * Why a connected user's refresh token was refused (`invalid_grant`), from the identity platform's
 * AADSTS number. The first code of the answer that this table knows decides; an unknown code leaves
 * the general `reauthorization-required`.
 */
export const aadstsErrorReasons: ReadonlyMap<number, RefusedRefreshTokenReason> = new Map<
  number,
  RefusedRefreshTokenReason
>([
  [700082, 'token-expired'],
  [70008, 'token-expired'],
  [50173, 'token-revoked'],
  [65001, 'consent-missing'],
  [65004, 'consent-declined'],
  [50076, 'mfa-required'],
  [50079, 'mfa-required'],
  [53003, 'conditional-access'],
]);

/** The Error reason for a refused refresh token with these AADSTS codes. */
export function reasonForRefusedRefreshToken(aadstsCodes: readonly number[]): ErrorReason {
  for (const code of aadstsCodes) {
    const reason = aadstsErrorReasons.get(code);
    if (reason) return reason;
  }
  return 'reauthorization-required';
}

/** A user is asked to connect their calendar again at most this often. */
export const reauthorizationAskIntervalMs = 30 * 86_400_000;

/**
 * Whether to ask the user to reconnect now: never asked, or last asked 30 days ago or more. Retries
 * that meet the same refused token in between change the Error reason but do not ask again.
 */
export function shouldAskForReauthorization(lastAskedAt: string | null, now: Date): boolean {
  if (!lastAskedAt) return true;
  return now.getTime() - new Date(lastAskedAt).getTime() >= reauthorizationAskIntervalMs;
}
