import { createRemoteJWKSet, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { ApiAuthenticator, Principal } from '../../auth/apiAuthenticator.js';
import { AppError } from '../../errors.js';
import type { Clock } from '../../time/clock.js';

export type { Principal };

export interface BearerAuthOptions {
  /**
   * Expected `iss`; `{tenantid}` stands for the token's own `tid` (multi-tenant Entra ID):
   * `https://login.microsoftonline.com/{tenantid}/v2.0`.
   */
  issuer: string;
  /** Accepted `aud` values: the app's client id (what v2.0 tokens carry) and its `api://` Application ID URI. */
  audiences: readonly string[];
  jwksUrl: string;
  adminRole: string;
}

/** The audiences the API accepts: its Application ID URI (`API_AUTH_AUDIENCE`) and its client id. */
export function apiAudiences(applicationIdUri: string, clientId: string): string[] {
  return [...new Set([applicationIdUri, clientId])];
}

/** A directory (tenant) id: a GUID, so that it cannot bend the issuer it is put into. */
const tenantIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const claimsSchema = z.object({
  tid: z.string().regex(tenantIdPattern),
  oid: z.string().min(1),
  // Only v2.0 access tokens: their issuer names the tenant, and Microsoft's common keys sign both versions.
  ver: z.literal('2.0'),
  roles: z.array(z.string()).optional(),
  idtyp: z.string().optional(),
  scp: z.string().optional(),
});

/**
 * Validates API callers' bearer tokens as Entra ID issues them to a multi-tenant app: signature
 * against the published keys (cached by jose), lifetime, an accepted audience, `ver` 2.0, and an
 * issuer that is the v2.0 issuer of the token's own `tid` (the common keys sign every tenant's
 * tokens: a token whose `tid` and issuer disagree is forged). Any tenant's token passes here; the
 * route access decides what it may do. Missing or bad token: `unauthenticated` (401).
 */
export class BearerAuthenticator implements ApiAuthenticator {
  readonly #options: BearerAuthOptions;
  readonly #keys: ReturnType<typeof createRemoteJWKSet>;

  readonly #clock: Clock;

  constructor(options: BearerAuthOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
    this.#keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 3_600_000,
    });
  }

  get adminRole(): string {
    return this.#options.adminRole;
  }

  async authenticate(authorization: string | null): Promise<Principal> {
    const token = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new AppError('unauthenticated', 'A bearer token is required.');
    try {
      const { payload } = await jwtVerify(token, this.#keys, {
        audience: [...this.#options.audiences],
        algorithms: ['RS256'],
        currentDate: this.#clock.now(),
        clockTolerance: 120,
      });
      const claims = claimsSchema.parse(payload);
      const expectedIssuer = this.#options.issuer.replace('{tenantid}', claims.tid);
      if (payload.iss !== expectedIssuer)
        throw new AppError('unauthenticated', 'The token was issued by an unexpected issuer.');
      return {
        tenantId: claims.tid.toLowerCase(),
        objectId: claims.oid.toLowerCase(),
        roles: claims.roles ?? [],
        isApp: claims.idtyp === 'app' || (claims.scp === undefined && claims.roles !== undefined),
      };
    } catch (error) {
      if (error instanceof AppError) throw error;
      // Keys that cannot be fetched are our outage, not the caller's fault.
      if (
        error instanceof joseErrors.JWKSTimeout ||
        (error instanceof TypeError && /fetch/i.test(error.message))
      ) {
        throw new AppError('dependency-unavailable', 'The token signing keys could not be fetched.', {
          cause: error,
        });
      }
      throw new AppError('unauthenticated', 'The bearer token is invalid or expired.', { cause: error });
    }
  }

  /** An administrator of the given tenant: the admin app role, in a token of that tenant. */
  requireAdmin(principal: Principal, tenantId: string): void {
    if (!principal.roles.includes(this.#options.adminRole)) {
      throw new AppError('forbidden', `The ${this.#options.adminRole} role is required.`);
    }
    if (principal.tenantId !== tenantId.toLowerCase()) {
      throw new AppError('forbidden', 'Administrators manage their own tenant only.');
    }
  }
}
