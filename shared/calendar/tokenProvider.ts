/** A connected user's MSAL session: which account, and its token cache, serialised for storage. */
export interface DelegatedSession {
  homeAccountId: string;
  userId: string;
  tenantId: string;
  /** MSAL's serialised token cache. A secret: store it only encrypted. */
  serializedCache: string;
}

/** Access tokens for Graph. Failures: `unauthorized`, `reauthorization-required`, `dependency-unavailable`. */
export interface GraphTokenProvider {
  /**
   * An app-only token (client credentials) for a tenant whose admin consented. `forceRefresh` skips
   * the cache: for when Graph refused a cached token as expired (clock skew, revoked).
   */
  appToken(tenantId: string, options?: { forceRefresh?: boolean }): Promise<string>;
}

/** "Connect your calendar": the authorization-code flow with PKCE and silent renewal from a stored cache. */
export interface DelegatedTokenProvider {
  authorizationUrl(request: {
    redirectUri: string;
    state: string;
    codeChallenge: string;
    loginHint?: string;
  }): Promise<string>;
  redeemAuthorizationCode(request: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<DelegatedSession>;
  /** A token from the stored cache, refreshed when needed; the cache may change and must be stored again. */
  delegatedToken(
    session: DelegatedSession,
    options?: { forceRefresh?: boolean },
  ): Promise<{ accessToken: string; serializedCache: string }>;
}

/** What the service asks for: the delegated permissions of "connect your calendar". */
export const delegatedScopes = [
  'https://graph.microsoft.com/Calendars.ReadWrite',
  'https://graph.microsoft.com/MailboxSettings.ReadWrite',
  'https://graph.microsoft.com/User.Read',
  'offline_access',
];
