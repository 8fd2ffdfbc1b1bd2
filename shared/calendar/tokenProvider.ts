import type { AuthorizationUrlRequest, CodeRedemptionRequest } from '../auth/authorizationCode.js';
import { AppError } from '../errors.js';

/** Access tokens for Graph. Failures: `unauthorized`, `reauthorization-required`, `dependency-unavailable`. */
export interface GraphTokenProvider {
  /**
   * An app-only token (client credentials) for a tenant whose admin consented. `forceRefresh` skips
   * the cache: for when Graph refused a cached token as expired (clock skew, revoked).
   */
  appToken(tenantId: string, options?: { forceRefresh?: boolean }): Promise<string>;
}

/** "Connect your calendar" begins here: the sign-in URL of the authorization-code flow with PKCE. */
export interface DelegatedTokenProvider {
  authorizationUrl(request: AuthorizationUrlRequest): Promise<string>;
}

/** What the service asks for: the delegated permissions of "connect your calendar". */
export const delegatedScopes = [
  'https://graph.microsoft.com/Calendars.ReadWrite',
  'https://graph.microsoft.com/MailboxSettings.ReadWrite',
  'https://graph.microsoft.com/User.Read',
  'offline_access',
];

/** The account a user connected with: enough to find their cached tokens again. No e-mail address. */
export interface DelegatedAccount {
  homeAccountId: string;
  userId: string;
  tenantId: string;
  /**
   * The user principal name the user signed in with, known when they connect: the `login_hint` of
   * their reconnect link. Personal data: stored only sealed, never logged.
   */
  loginHint?: string;
}

/**
 * Where connected users' token caches live between calls, one per user. The implementation seals
 * them before they reach the store: a serialised cache holds refresh tokens.
 */
export interface DelegatedTokenCacheStore {
  /** The user's serialised cache, or undefined when they never connected (or were purged). */
  load(userId: string): Promise<string | undefined>;
  save(account: DelegatedAccount, serializedCache: string): Promise<void>;
}

/**
 * "Connect your calendar" with the token cache kept per user in a store (through MSAL's cache
 * plugin): redeeming a code stores the new cache; each token read loads it and stores what changed
 * (refresh tokens rotate on every use). Failures: `reauthorization-required` as a
 * `ReauthorizationRequiredError` carrying the identity platform's AADSTS codes, `unauthorized`,
 * `dependency-unavailable`.
 */
export interface StoredDelegatedTokens {
  connectAccount(request: CodeRedemptionRequest, caches: DelegatedTokenCacheStore): Promise<DelegatedAccount>;
  delegatedAccessToken(
    account: DelegatedAccount,
    caches: DelegatedTokenCacheStore,
    options?: { forceRefresh?: boolean },
  ): Promise<string>;
}

/**
 * Chooses the delegated token for mailboxes whose users connected their own calendar. The Graph
 * gateway asks it first for every mailbox-scoped request and falls back to the tenant's app token.
 */
export interface MailboxDelegation {
  /** A delegated token when the mailbox's user connected their calendar; undefined otherwise. */
  delegatedToken(
    mailbox: { tenantId: string; userId: string },
    options?: { forceRefresh?: boolean },
  ): Promise<string | undefined>;
}

/**
 * The user's refresh token no longer works (`invalid_grant`): they must connect their calendar again.
 * `aadstsCodes` are the identity platform's error numbers (e.g. 50173), which say why.
 */
export class ReauthorizationRequiredError extends AppError {
  readonly aadstsCodes: readonly number[];

  constructor(message: string, aadstsCodes: readonly number[], options: { cause?: unknown } = {}) {
    super('reauthorization-required', message, options);
    this.name = 'ReauthorizationRequiredError';
    this.aadstsCodes = aadstsCodes;
  }
}

export function isReauthorizationRequired(error: unknown): error is ReauthorizationRequiredError {
  return error instanceof ReauthorizationRequiredError;
}
