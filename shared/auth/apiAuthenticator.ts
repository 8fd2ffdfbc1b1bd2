/** Who is calling, from a validated bearer token. */
export interface Principal {
  tenantId: string;
  objectId: string;
  roles: readonly string[];
  isApp: boolean;
}

/**
 * Validates the bearer tokens of API callers (implemented on Entra ID's keys in
 * `adapters/entra/`). A missing, forged or expired token is `unauthenticated`; keys that cannot be
 * fetched are `dependency-unavailable` (our outage, not the caller's fault).
 */
export interface ApiAuthenticator {
  authenticate(authorization: string | null): Promise<Principal>;
  /** The app role that opens the admin API. */
  readonly adminRole: string;
}
