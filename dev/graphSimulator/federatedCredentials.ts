import { createRemoteJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify } from 'jose';
import type { Clock } from '../../shared/time/clock.js';

/** The only client assertion type Entra ID accepts (RFC 7523). */
export const jwtBearerAssertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * A federated identity credential of the app registration, as Entra ID stores it: tokens of
 * `issuer` for `subject` with one of `audiences` may stand in for the app's secret.
 */
export interface FederatedIdentityCredential {
  issuer: string;
  /** In Azure the managed identity's object (principal) id. */
  subject: string;
  audiences: string[];
  /**
   * Where the issuer publishes its signing keys. Entra ID finds them through the issuer's OpenID
   * configuration; the simulator is told directly.
   */
  jwksUri: string;
}

/** Why an assertion was refused, with the AADSTS code Entra ID gives for it. */
export interface AssertionRefusal {
  code: number;
  description: string;
}

/**
 * Checks client assertions against the app's federated identity credentials, in Entra ID's order:
 * a credential of the assertion's issuer, then of its subject, then of its audience; then the
 * signature against that issuer's keys and the lifetime on the simulator's clock.
 */
export class FederatedAssertionVerifier {
  readonly #credentials: readonly FederatedIdentityCredential[];
  readonly #clock: Clock;
  readonly #keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(credentials: readonly FederatedIdentityCredential[], clock: Clock) {
    this.#credentials = credentials;
    this.#clock = clock;
  }

  async verify(assertion: string): Promise<AssertionRefusal | undefined> {
    let claims: JWTPayload;
    try {
      claims = decodeJwt(assertion);
    } catch {
      return { code: 50027, description: 'Invalid JWT token. The client assertion is not a JWT.' };
    }
    const byIssuer = this.#credentials.filter((credential) => credential.issuer === claims.iss);
    if (byIssuer.length === 0) {
      return {
        code: 700211,
        description: 'No matching federated identity record found for presented assertion issuer.',
      };
    }
    const bySubject = byIssuer.filter((credential) => credential.subject === claims.sub);
    if (bySubject.length === 0) {
      return {
        code: 700213,
        description: 'No matching federated identity record found for presented assertion subject.',
      };
    }
    const audiences = typeof claims.aud === 'string' ? [claims.aud] : (claims.aud ?? []);
    const credential = bySubject.find((candidate) =>
      candidate.audiences.some((audience) => audiences.includes(audience)),
    );
    if (!credential) {
      return {
        code: 700212,
        description: 'No matching federated identity record found for presented assertion audience.',
      };
    }
    try {
      await jwtVerify(assertion, this.#keySet(credential.jwksUri), {
        issuer: credential.issuer,
        subject: credential.subject,
        audience: credential.audiences,
        requiredClaims: ['exp'],
        currentDate: this.#clock.now(),
      });
    } catch (error) {
      if (
        error instanceof errors.JWTExpired ||
        (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf')
      ) {
        return { code: 700024, description: 'Client assertion is not within its valid time range.' };
      }
      return { code: 5002738, description: 'Client assertion failed signature validation.' };
    }
    return undefined;
  }

  #keySet(jwksUri: string): ReturnType<typeof createRemoteJWKSet> {
    let keySet = this.#keySets.get(jwksUri);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(jwksUri));
      this.#keySets.set(jwksUri, keySet);
    }
    return keySet;
  }
}
