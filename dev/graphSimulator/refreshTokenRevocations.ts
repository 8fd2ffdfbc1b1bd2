import { z } from 'zod';

/**
 * The AADSTS codes a refused refresh token can carry, as Entra ID sends them with `invalid_grant`,
 * and the description each comes with.
 */
export const refreshTokenFailures: Readonly<Record<number, string>> = {
  700082: 'The refresh token has expired due to inactivity.',
  70008: 'The provided authorization code or refresh token has expired due to inactivity.',
  50173:
    'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.',
  65001: 'The user or administrator has not consented to use the application.',
  65004: 'User declined to consent to access the app.',
  50076:
    'Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access the resource.',
  50079:
    'Due to a configuration change made by your administrator, or because you moved to a new location, you must enroll in multi-factor authentication to access the resource.',
  53003:
    'Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.',
};

/** `POST /_control/mailboxes/{id or mail}/revoke-refresh-tokens` body: which AADSTS code the refusal carries. */
export const revokeRefreshTokensSchema = z.object({
  aadsts: z
    .number()
    .int()
    .refine((code) => code in refreshTokenFailures, {
      message: `aadsts must be one of ${Object.keys(refreshTokenFailures).join(', ')}`,
    })
    .default(50173),
});
