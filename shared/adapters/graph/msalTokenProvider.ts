import {
  AuthError,
  type AuthenticationResult,
  ConfidentialClientApplication,
  type Configuration,
  type ICachePlugin,
  InteractionRequiredAuthError,
  LogLevel,
} from '@azure/msal-node';
import {
  type DelegatedAccount,
  type DelegatedSession,
  type DelegatedTokenCacheStore,
  type DelegatedTokenProvider,
  delegatedScopes,
  type GraphTokenProvider,
  ReauthorizationRequiredError,
  type StoredDelegatedTokens,
} from '../../calendar/tokenProvider.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../time/clock.js';
import type { ClientAssertionSource } from './clientAssertion.js';

/**
 * How MSAL authenticates as the app: a client secret, or client assertions (in Azure the managed
 * identity's token, trusted by the app registration's federated identity credential).
 */
export type MsalClientCredential = { clientSecret: string } | { clientAssertions: ClientAssertionSource };

/** The credential as MSAL's configuration takes it. */
export function msalCredentialOf(
  credential: MsalClientCredential,
): { clientSecret: string } | { clientAssertion: () => Promise<string> } {
  if ('clientSecret' in credential) return { clientSecret: credential.clientSecret };
  // A callback, so MSAL asks for an assertion at each token request and never keeps a stale one.
  const source = credential.clientAssertions;
  return { clientAssertion: async () => (await source.assertion()).jwt };
}

export type MsalTokenProviderOptions = MsalClientCredential & {
  clientId: string;
  /** `https://login.microsoftonline.com`, or the Graph simulator's base URL. */
  authorityHost: string;
  /** Authority used for "connect your calendar" (multi-tenant: `organizations`). */
  delegatedTenant?: string;
  /** The system's clock: an app token is used only while it lives on this clock. */
  clock: Clock;
};

/** A token is renewed this long before it expires, as MSAL does on its own cache. */
const tokenRenewalMarginMs = 5 * 60_000;

const graphDefaultScope = 'https://graph.microsoft.com/.default';
const microsoftAuthorityHosts = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
]);

/** The AADSTS numbers of an identity-platform answer: MSAL's `errorNo`, else those named in the text. */
export function aadstsCodesOf(error: AuthError): number[] {
  const codes = new Set<number>();
  const errorNo = (error as { errorNo?: unknown }).errorNo;
  if (typeof errorNo === 'string' && /^\d+$/.test(errorNo)) codes.add(Number(errorNo));
  for (const match of `${error.errorMessage ?? ''} ${error.message}`.matchAll(/AADSTS(\d{4,7})/g))
    codes.add(Number(match[1]));
  return [...codes];
}

/** Maps an MSAL failure to the service's typed errors, without ever copying a token into a message. */
export function toTokenError(error: unknown, action: string): AppError {
  if (error instanceof AppError) return error;
  if (
    error instanceof InteractionRequiredAuthError ||
    (error instanceof AuthError && error.errorCode === 'invalid_grant' && action !== 'app token')
  ) {
    const codes = aadstsCodesOf(error as AuthError);
    return new ReauthorizationRequiredError(
      `${action}: the user must connect their calendar again${codes.length ? ` (AADSTS${codes.join(', AADSTS')})` : ''}`,
      codes,
      { cause: error },
    );
  }
  if (error instanceof AuthError) {
    if (
      ['invalid_client', 'unauthorized_client', 'invalid_grant', 'invalid_scope'].includes(error.errorCode)
    ) {
      const consent = error.errorMessage?.includes('65001') ? ' (admin consent is missing)' : '';
      return new AppError(
        'unauthorized',
        `${action}: the identity platform refused (${error.errorCode})${consent}`,
        { cause: error },
      );
    }
  }
  return new AppError('dependency-unavailable', `${action}: the identity platform could not be reached`, {
    cause: error,
  });
}

/**
 * Graph tokens from MSAL: client credentials per tenant (MSAL caches them until shortly before they
 * expire), and the authorization-code flow with PKCE for users who connect their own calendar.
 */
export class MsalTokenProvider implements GraphTokenProvider, DelegatedTokenProvider, StoredDelegatedTokens {
  readonly #options: MsalTokenProviderOptions;
  readonly #appClients = new Map<string, ConfidentialClientApplication>();
  /** When each tenant's cached app token expires, on the system's clock. */
  readonly #appTokenExpiry = new Map<string, number>();

  constructor(options: MsalTokenProviderOptions) {
    this.#options = options;
  }

  #credential(): { clientSecret: string } | { clientAssertion: () => Promise<string> } {
    return msalCredentialOf(this.#options);
  }

  #configuration(tenant: string): Configuration {
    const host = new URL(this.#options.authorityHost);
    return {
      auth: {
        clientId: this.#options.clientId,
        ...this.#credential(),
        authority: `${host.origin}/${tenant}`,
        // Outside Microsoft's clouds (the simulator) MSAL must trust the host without instance discovery.
        ...(microsoftAuthorityHosts.has(host.hostname) ? {} : { knownAuthorities: [host.host] }),
      },
      system: {
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Error,
          loggerCallback: () => undefined,
        },
      },
    };
  }

  async appToken(tenantId: string, options: { forceRefresh?: boolean } = {}): Promise<string> {
    let client = this.#appClients.get(tenantId);
    if (!client) {
      client = new ConfidentialClientApplication(this.#configuration(tenantId));
      this.#appClients.set(tenantId, client);
    }
    // MSAL judges its cache by the machine's clock; the service's clock may be ahead of it (tests,
    // the local stack's time travel), so a token that is stale on the service's clock is refreshed.
    const nowMs = this.#options.clock.now().getTime();
    const stale = (this.#appTokenExpiry.get(tenantId) ?? 0) - tokenRenewalMarginMs <= nowMs;
    let result: AuthenticationResult | null;
    try {
      result = await client.acquireTokenByClientCredential({
        scopes: [graphDefaultScope],
        skipCache: (options.forceRefresh ?? false) || stale,
      });
    } catch (error) {
      throw toTokenError(error, 'app token');
    }
    if (!result?.accessToken)
      throw new AppError('dependency-unavailable', 'app token: the identity platform returned no token');
    if (result.expiresOn) {
      // The lifetime MSAL measured on the machine's clock, carried over to the service's clock.
      const lifetimeMs = result.expiresOn.getTime() - Date.now();
      this.#appTokenExpiry.set(tenantId, this.#options.clock.now().getTime() + lifetimeMs);
    }
    return result.accessToken;
  }

  #delegatedClient(cachePlugin?: ICachePlugin): ConfidentialClientApplication {
    const configuration = this.#configuration(this.#options.delegatedTenant ?? 'organizations');
    return new ConfidentialClientApplication(
      cachePlugin ? { ...configuration, cache: { cachePlugin } } : configuration,
    );
  }

  async connectAccount(
    request: { code: string; codeVerifier: string; redirectUri: string },
    caches: DelegatedTokenCacheStore,
  ): Promise<DelegatedAccount> {
    // The account is known only once the code is redeemed: the plugin holds the new cache until then.
    let redeemed: string | undefined;
    const client = this.#delegatedClient({
      beforeCacheAccess: async () => undefined,
      afterCacheAccess: async (context) => {
        if (context.cacheHasChanged) redeemed = context.tokenCache.serialize();
      },
    });
    let result: AuthenticationResult;
    try {
      result = await client.acquireTokenByCode({
        code: request.code,
        codeVerifier: request.codeVerifier,
        redirectUri: request.redirectUri,
        scopes: delegatedScopes,
      });
    } catch (error) {
      throw toTokenError(error, 'redeem authorization code');
    }
    if (!result.account || !redeemed)
      throw new AppError('dependency-unavailable', 'redeem authorization code: no account in the answer');
    const account: DelegatedAccount = {
      homeAccountId: result.account.homeAccountId,
      userId: result.account.localAccountId.toLowerCase(),
      tenantId: result.account.tenantId.toLowerCase(),
      ...(result.account.username ? { loginHint: result.account.username } : {}),
    };
    await caches.save(account, redeemed);
    return account;
  }

  async delegatedAccessToken(
    account: DelegatedAccount,
    caches: DelegatedTokenCacheStore,
    options: { forceRefresh?: boolean } = {},
  ): Promise<string> {
    // One MSAL client per call whose cache plugin reads and writes only this user's cache.
    const client = this.#delegatedClient({
      beforeCacheAccess: async (context) => {
        const stored = await caches.load(account.userId);
        if (stored) context.tokenCache.deserialize(stored);
      },
      afterCacheAccess: async (context) => {
        if (context.cacheHasChanged) await caches.save(account, context.tokenCache.serialize());
      },
    });
    try {
      const cached = await client.getTokenCache().getAccountByHomeId(account.homeAccountId);
      if (!cached)
        throw new ReauthorizationRequiredError('delegated token: no stored session for this user', []);
      const result = await client.acquireTokenSilent({
        account: cached,
        scopes: delegatedScopes,
        forceRefresh: options.forceRefresh ?? false,
      });
      return result.accessToken;
    } catch (error) {
      throw toTokenError(error, 'delegated token');
    }
  }

  async authorizationUrl(request: {
    redirectUri: string;
    state: string;
    codeChallenge: string;
    loginHint?: string;
  }): Promise<string> {
    try {
      return await this.#delegatedClient().getAuthCodeUrl({
        scopes: delegatedScopes,
        redirectUri: request.redirectUri,
        state: request.state,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: 'S256',
        ...(request.loginHint ? { loginHint: request.loginHint } : {}),
      });
    } catch (error) {
      throw toTokenError(error, 'authorization url');
    }
  }

  async redeemAuthorizationCode(request: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<DelegatedSession> {
    const client = this.#delegatedClient();
    let result: AuthenticationResult;
    try {
      result = await client.acquireTokenByCode({
        code: request.code,
        codeVerifier: request.codeVerifier,
        redirectUri: request.redirectUri,
        scopes: delegatedScopes,
      });
    } catch (error) {
      throw toTokenError(error, 'redeem authorization code');
    }
    const account = result.account;
    if (!account)
      throw new AppError('dependency-unavailable', 'redeem authorization code: no account in the answer');
    return {
      homeAccountId: account.homeAccountId,
      userId: account.localAccountId,
      tenantId: account.tenantId,
      serializedCache: client.getTokenCache().serialize(),
    };
  }

  async delegatedToken(
    session: DelegatedSession,
    options: { forceRefresh?: boolean } = {},
  ): Promise<{ accessToken: string; serializedCache: string }> {
    // One MSAL client per call, holding only this user's cache: no user's tokens can leak into another's.
    const client = this.#delegatedClient();
    const cache = client.getTokenCache();
    cache.deserialize(session.serializedCache);
    try {
      const account = await cache.getAccountByHomeId(session.homeAccountId);
      if (!account)
        throw new AppError('reauthorization-required', 'delegated token: the stored session has no account');
      const result = await client.acquireTokenSilent({
        account,
        scopes: delegatedScopes,
        forceRefresh: options.forceRefresh ?? false,
      });
      return { accessToken: result.accessToken, serializedCache: cache.serialize() };
    } catch (error) {
      throw toTokenError(error, 'delegated token');
    }
  }
}
