import type { TokenCredential } from '@azure/identity';
import type { Clock } from '../../time/clock.js';

/**
 * The audience Entra ID expects of a token exchanged through a federated identity credential
 * (public cloud; the app registration's credential names the same value).
 */
export const tokenExchangeAudience = 'api://AzureADTokenExchange';

/** A signed JWT that proves the service is the app, and when it stops being valid. */
export interface ClientAssertion {
  jwt: string;
  expiresOnMs: number;
}

/**
 * Where client assertions come from: in Azure the managed identity (a token for
 * `api://AzureADTokenExchange`), in tests a local issuer. MSAL calls it for every token request.
 */
export interface ClientAssertionSource {
  assertion(): Promise<ClientAssertion>;
}

/** An assertion is renewed this long before it expires, so a token request never carries a stale one. */
const assertionRenewalMarginMs = 5 * 60_000;

/**
 * Keeps the last assertion until shortly before it expires (on the service's clock), and asks
 * `source` for a new one after that. Concurrent callers share one request.
 */
export class CachedClientAssertions implements ClientAssertionSource {
  readonly #source: ClientAssertionSource;
  readonly #clock: Clock;
  #current: ClientAssertion | undefined;
  #pending: Promise<ClientAssertion> | undefined;

  constructor(source: ClientAssertionSource, clock: Clock) {
    this.#source = source;
    this.#clock = clock;
  }

  async assertion(): Promise<ClientAssertion> {
    const current = this.#current;
    if (current && current.expiresOnMs - assertionRenewalMarginMs > this.#clock.now().getTime())
      return current;
    this.#pending ??= this.#source
      .assertion()
      .then((fresh) => {
        this.#current = fresh;
        return fresh;
      })
      .finally(() => {
        this.#pending = undefined;
      });
    return this.#pending;
  }
}

/**
 * Client assertions from the user-assigned managed identity: the identity's token for
 * `api://AzureADTokenExchange`, which the app registration's federated identity credential trusts.
 * `credential` is a `ManagedIdentityCredential` for the identity's client id.
 */
export class ManagedIdentityAssertions implements ClientAssertionSource {
  readonly #credential: TokenCredential;

  constructor(credential: TokenCredential) {
    this.#credential = credential;
  }

  async assertion(): Promise<ClientAssertion> {
    const token = await this.#credential.getToken(`${tokenExchangeAudience}/.default`);
    if (!token) throw new Error('the managed identity returned no token for the token exchange');
    return { jwt: token.token, expiresOnMs: token.expiresOnTimestamp };
  }
}
