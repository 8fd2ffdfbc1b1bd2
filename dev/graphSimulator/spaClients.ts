/**
 * Entra ID's "single-page application" platform, as far as the simulator needs it: a browser app
 * redeems its authorization code (and refresh token) at the token endpoint cross-origin, with PKCE
 * and without a client secret. Entra tells such a request by its `Origin` header, allows it only
 * for redirect URIs of the SPA platform (here: a redirect URI on the request's own origin) and
 * answers with CORS headers for that origin.
 */

/** Whether a token request is a browser's cross-origin redemption of a public (SPA) client. */
export function isSpaRedemption(form: URLSearchParams, origin: string | undefined): boolean {
  if (!origin || form.has('client_secret')) return false;
  const grant = form.get('grant_type');
  return grant === 'authorization_code' || grant === 'refresh_token';
}

/**
 * Why Entra would refuse this SPA redemption (AADSTS9002325/9002326), or undefined: the code must
 * have been asked for with PKCE, and the redirect URI must be on the calling origin.
 */
export function spaRedemptionProblem(
  origin: string,
  code: { redirectUri: string; codeChallenge: string | undefined },
): string | undefined {
  if (code.codeChallenge === undefined)
    return 'AADSTS9002325: Proof Key for Code Exchange is required for cross-origin authorization code redemption.';
  let redirectOrigin: string;
  try {
    redirectOrigin = new URL(code.redirectUri).origin;
  } catch {
    redirectOrigin = '';
  }
  if (redirectOrigin !== origin)
    return "AADSTS9002326: Cross-origin token redemption is permitted only for the 'Single-Page Application' client-type, and the request origin must match the redirect URI's origin.";
  return undefined;
}

/** The CORS headers of the token endpoint's answer (and of its preflight) for a browser origin. */
export function tokenEndpointCorsHeaders(origin: string | undefined): Record<string, string> {
  if (!origin) return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': 'POST, OPTIONS',
    'access-control-allow-headers': 'content-type',
    'access-control-max-age': '600',
    vary: 'Origin',
  };
}
