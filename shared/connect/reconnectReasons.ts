// Plain data with no imports, so that the admin console's bundle can take it as it is.

/** Why a connected user's refresh token was refused (its AADSTS code decides; `tokenFailureTriage.ts`). */
export const refusedRefreshTokenReasons = [
  'token-expired',
  'token-revoked',
  'consent-missing',
  'consent-declined',
  'mfa-required',
  'conditional-access',
] as const;
export type RefusedRefreshTokenReason = (typeof refusedRefreshTokenReasons)[number];

/**
 * The Error reasons that only the user connecting their calendar again clears (the admin console's
 * "Reconnect needed"): a refused refresh token's, and the general one for an unknown AADSTS code.
 */
export const reconnectErrorReasons = ['reauthorization-required', ...refusedRefreshTokenReasons] as const;
