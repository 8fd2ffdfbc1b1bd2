import { ConfidentialClientApplication } from '@azure/msal-node';
import { z } from 'zod';
import type { AuthorizationUrlRequest, CodeRedemptionRequest } from '../../auth/authorizationCode.js';
import { AppError } from '../../errors.js';
import type { AdminSignIn, AdminSignInResult } from '../../onboarding/ports.js';
import {
  authorizationCodeUrl,
  type MsalAppIdentity,
  msalConfiguration,
  redeemAuthorizationCode,
} from './msalClients.js';

/** The same client credential as app tokens: a secret locally, the managed identity's assertion in Azure. */
export interface MsalAdminSignInOptions extends MsalAppIdentity {
  /** `https://graph.microsoft.com/v1.0`, or the simulator's. */
  graphBaseUrl: string;
  /** How long one `/me/memberOf` page may take, body included; 10 s unless a test says otherwise. */
  memberOfTimeoutMs?: number;
}

/** The sign-in asks for the least: who the admin is (the id token) and `User.Read` for `/me/memberOf`. */
const signInScopes = ['https://graph.microsoft.com/User.Read'];

const idTokenClaimsSchema = z.object({
  tid: z.string().min(1),
  oid: z.string().min(1),
  wids: z.array(z.string()).optional(),
});

const memberOfPageSchema = z.object({
  value: z.array(
    z.looseObject({ '@odata.type': z.string().optional(), roleTemplateId: z.string().nullish() }),
  ),
  '@odata.nextLink': z.string().optional(),
});

/**
 * The administrator's sign-in with MSAL (authorization code + PKCE) in the multi-tenant
 * `organizations` authority, and the admin-consent URL of the tenant that signed in.
 */
export class MsalAdminSignIn implements AdminSignIn {
  readonly #options: MsalAdminSignInOptions;

  constructor(options: MsalAdminSignInOptions) {
    this.#options = options;
  }

  #client(): ConfidentialClientApplication {
    return new ConfidentialClientApplication(msalConfiguration(this.#options, 'organizations'));
  }

  authorizationUrl(request: AuthorizationUrlRequest): Promise<string> {
    return authorizationCodeUrl(this.#client(), signInScopes, request, 'admin sign-in url');
  }

  async redeem(request: CodeRedemptionRequest): Promise<AdminSignInResult> {
    const result = await redeemAuthorizationCode(this.#client(), signInScopes, request, 'admin sign-in');
    const claims = idTokenClaimsSchema.safeParse(result.idTokenClaims);
    if (!claims.success)
      throw new AppError('unexpected-response', 'admin sign-in: the id token lacks its tenant or object id');
    return {
      tenantId: claims.data.tid,
      userId: claims.data.oid,
      wids: claims.data.wids,
      accessToken: result.accessToken,
    };
  }

  async directoryRoleTemplateIds(accessToken: string): Promise<string[]> {
    const roles: string[] = [];
    let next: string | undefined = `${this.#options.graphBaseUrl}/me/memberOf?$select=id,roleTemplateId`;
    for (let page = 0; next && page < 20; page += 1) {
      // Each page has its own deadline, so a Graph that stops answering cannot hold the callback.
      const timeoutMs = this.#options.memberOfTimeoutMs ?? 10_000;
      let body: unknown;
      try {
        const answer = await fetch(next, {
          headers: { authorization: `Bearer ${accessToken}` },
          signal: AbortSignal.timeout(timeoutMs),
        });
        if (!answer.ok) {
          throw new AppError(
            answer.status >= 500 ? 'dependency-unavailable' : 'unauthorized',
            `GET /me/memberOf: Graph answered ${answer.status}`,
          );
        }
        body = await answer.json();
      } catch (error) {
        if (error instanceof AppError) throw error;
        if (error instanceof SyntaxError)
          throw new AppError('unexpected-response', 'GET /me/memberOf: unexpected answer');
        const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
        throw new AppError(
          'dependency-unavailable',
          timedOut
            ? `GET /me/memberOf: Graph did not answer within ${timeoutMs / 1000} s`
            : 'GET /me/memberOf: Graph could not be reached',
          { cause: error },
        );
      }
      const parsed = memberOfPageSchema.safeParse(body);
      if (!parsed.success) throw new AppError('unexpected-response', 'GET /me/memberOf: unexpected answer');
      for (const member of parsed.data.value)
        if (member['@odata.type'] === '#microsoft.graph.directoryRole' && member.roleTemplateId)
          roles.push(member.roleTemplateId);
      next = parsed.data['@odata.nextLink'];
    }
    return roles;
  }

  adminConsentUrl(request: { tenantId: string; redirectUri: string; state: string }): string {
    const url = new URL(
      `${new URL(this.#options.authorityHost).origin}/${encodeURIComponent(request.tenantId)}/v2.0/adminconsent`,
    );
    url.searchParams.set('client_id', this.#options.clientId);
    url.searchParams.set('scope', 'https://graph.microsoft.com/.default');
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('state', request.state);
    return url.toString();
  }
}
