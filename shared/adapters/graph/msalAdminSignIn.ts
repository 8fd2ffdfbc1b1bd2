import { ConfidentialClientApplication, LogLevel } from '@azure/msal-node';
import { z } from 'zod';
import { AppError } from '../../errors.js';
import type { AdminSignIn, AdminSignInResult } from '../../onboarding/ports.js';
import { type MsalClientCredential, msalCredentialOf, toTokenError } from './msalTokenProvider.js';

export interface MsalAdminSignInOptions {
  clientId: string;
  /** The same client credential as app tokens: a secret locally, the managed identity's assertion in Azure. */
  credential: MsalClientCredential;
  /** `https://login.microsoftonline.com`, or the Graph simulator's base URL. */
  authorityHost: string;
  /** `https://graph.microsoft.com/v1.0`, or the simulator's. */
  graphBaseUrl: string;
}

/** The sign-in asks for the least: who the admin is (the id token) and `User.Read` for `/me/memberOf`. */
const signInScopes = ['https://graph.microsoft.com/User.Read'];

const microsoftAuthorityHosts = new Set([
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.partner.microsoftonline.cn',
]);

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
    const host = new URL(this.#options.authorityHost);
    return new ConfidentialClientApplication({
      auth: {
        clientId: this.#options.clientId,
        ...msalCredentialOf(this.#options.credential),
        authority: `${host.origin}/organizations`,
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
    });
  }

  async authorizationUrl(request: {
    redirectUri: string;
    state: string;
    codeChallenge: string;
    loginHint?: string;
  }): Promise<string> {
    try {
      return await this.#client().getAuthCodeUrl({
        scopes: signInScopes,
        redirectUri: request.redirectUri,
        state: request.state,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: 'S256',
        ...(request.loginHint ? { loginHint: request.loginHint } : {}),
      });
    } catch (error) {
      throw toTokenError(error, 'admin sign-in url');
    }
  }

  async redeem(request: {
    code: string;
    codeVerifier: string;
    redirectUri: string;
  }): Promise<AdminSignInResult> {
    let result: Awaited<ReturnType<ConfidentialClientApplication['acquireTokenByCode']>>;
    try {
      result = await this.#client().acquireTokenByCode({
        code: request.code,
        codeVerifier: request.codeVerifier,
        redirectUri: request.redirectUri,
        scopes: signInScopes,
      });
    } catch (error) {
      throw toTokenError(error, 'admin sign-in');
    }
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
      let answer: Response;
      try {
        answer = await fetch(next, { headers: { authorization: `Bearer ${accessToken}` } });
      } catch (error) {
        throw new AppError('dependency-unavailable', 'GET /me/memberOf: Graph could not be reached', {
          cause: error,
        });
      }
      if (!answer.ok) {
        throw new AppError(
          answer.status >= 500 ? 'dependency-unavailable' : 'unauthorized',
          `GET /me/memberOf: Graph answered ${answer.status}`,
        );
      }
      const parsed = memberOfPageSchema.safeParse(await answer.json());
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
