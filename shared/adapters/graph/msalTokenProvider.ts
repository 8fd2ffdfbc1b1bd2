import {
  type AuthenticationResult,
  ConfidentialClientApplication,
  type Configuration,
  type ICachePlugin,
} from '@azure/msal-node';
import type { AuthorizationUrlRequest, CodeRedemptionRequest } from '../../auth/authorizationCode.js';
import {
  type DelegatedAccount,
  type DelegatedTokenCacheStore,
  type DelegatedTokenProvider,
  delegatedScopes,
  type GraphTokenProvider,
  ReauthorizationRequiredError,
  type StoredDelegatedTokens,
} from '../../calendar/tokenProvider.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../time/clock.js';
import {
  authorizationCodeUrl,
  type MsalClientCredential,
  msalConfiguration,
  redeemAuthorizationCode,
  toTokenError,
} from './msalClients.js';

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

  #configuration(tenant: string): Configuration {
    const { clientId, authorityHost } = this.#options;
    return msalConfiguration({ clientId, credential: this.#options, authorityHost }, tenant);
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
    request: CodeRedemptionRequest,
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
    const result = await redeemAuthorizationCode(
      client,
      delegatedScopes,
      request,
      'redeem authorization code',
    );
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

  authorizationUrl(request: AuthorizationUrlRequest): Promise<string> {
    return authorizationCodeUrl(this.#delegatedClient(), delegatedScopes, request, 'authorization url');
  }
}
