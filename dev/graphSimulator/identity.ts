import { createHash, randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import type { Clock } from '../../shared/time/clock.js';
import type { DemoTenant, DirectoryUser } from './demoTenant.js';
import {
  FederatedAssertionVerifier,
  type FederatedIdentityCredential,
  jwtBearerAssertionType,
} from './federatedCredentials.js';
import { refreshTokenFailures } from './refreshTokenRevocations.js';
import { isSpaRedemption, spaRedemptionProblem } from './spaClients.js';

/** Graph's audience, as in real access tokens. */
export const graphAudience = 'https://graph.microsoft.com';

/** What the application may do without a user: the permissions the admin consents to. */
export const applicationRoles = [
  'Calendars.ReadWrite',
  'MailboxSettings.ReadWrite',
  'User.Read.All',
  'Domain.Read.All',
  'RoleManagement.Read.Directory',
  'GroupMember.Read.All',
];

export interface AccessTokenClaims extends JWTPayload {
  tid: string;
  oid: string;
  appid: string;
  idtyp: 'app' | 'user';
  roles?: string[];
  scp?: string;
}

/**
 * An access token for the service's own API, shaped as Entra ID issues v2.0 tokens for an app whose
 * manifest sets `accessTokenAcceptedVersion: 2`: issuer `{host}/{tid}/v2.0`, `aud` the app's client
 * id, `ver` 2.0, the calling client in `azp` (v1's `appid` is absent).
 */
export interface ApiAccessTokenClaims extends JWTPayload {
  tid: string;
  oid: string;
  azp: string;
  /** How the client authenticated: 0 public client, 1 secret, 2 certificate. */
  azpacr: '0' | '1' | '2';
  ver: '2.0';
  /** An optional claim in Entra ID; the simulator always sends it. */
  idtyp: 'app' | 'user';
  roles?: string[];
  scp?: string;
}

/** What a test may change in an API token to get one real Entra ID could sign but the API must refuse. */
export interface ApiTokenVariant {
  /** Claims to add or replace (`undefined` removes one). */
  claims?: Record<string, unknown>;
  issuer?: string;
  audience?: string;
}

/** An OAuth error as the Microsoft identity platform shapes it. */
export interface OAuthError {
  status: number;
  body: {
    error: string;
    error_description: string;
    error_codes: number[];
    timestamp: string;
    trace_id: string;
    correlation_id: string;
  };
}

interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | undefined;
  userId: string;
  nonce: string | undefined;
  expiresAtMs: number;
}

interface RefreshToken {
  clientId: string;
  userId: string;
  scope: string;
  /** Revoked: a refresh with it is refused with this AADSTS code (a new sign-in gives new tokens). */
  refusedWith?: number;
}

const tokenLifetimeSeconds = 3_600;

type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The simulator's Microsoft identity platform: OpenID configuration, signing keys, the token endpoint
 * (client credentials, authorization code with PKCE, refresh token), authorize and admin consent.
 * Tokens are RS256 JWTs; Graph routes accept only tokens this provider signed and that have not expired.
 */
export class SimulatedIdentityProvider {
  readonly #tenant: DemoTenant;
  readonly #baseUrl: string;
  readonly #clock: Clock;
  #privateKey: SigningKey | undefined;
  #publicKey: SigningKey | undefined;
  #publicJwk: JWK | undefined;
  readonly #keyId = randomToken(8);
  readonly #codes = new Map<string, AuthorizationCode>();
  readonly #refreshTokens = new Map<string, RefreshToken>();
  /** Tenants whose admin consented to the app's permissions. */
  readonly consentedTenants = new Set<string>();
  /** Tenants whose administrator declines the next admin consent (a control of the simulator). */
  readonly decliningTenants = new Set<string>();
  readonly #otherTenants: readonly DemoTenant[];

  /** Client assertions from the issuers the app's federated identity credentials trust. */
  readonly #assertions: FederatedAssertionVerifier;

  constructor(
    tenant: DemoTenant,
    baseUrl: string,
    clock: Clock,
    otherTenants: readonly DemoTenant[] = [],
    federatedCredentials: readonly FederatedIdentityCredential[] = [],
  ) {
    this.#tenant = tenant;
    this.#otherTenants = otherTenants;
    this.#baseUrl = baseUrl;
    this.#clock = clock;
    this.#assertions = new FederatedAssertionVerifier(federatedCredentials, clock);
  }

  async init(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    this.#privateKey = privateKey;
    this.#publicKey = publicKey;
    this.#publicJwk = { ...(await exportJWK(publicKey)), kid: this.#keyId, use: 'sig', alg: 'RS256' };
  }

  /** Every tenant the simulator holds: the demo tenant first. */
  get tenants(): readonly DemoTenant[] {
    return [this.#tenant, ...this.#otherTenants];
  }

  /** The tenant a user belongs to. */
  #tenantOfUser(userId: string): DemoTenant {
    return this.tenants.find((tenant) => tenant.users.some((user) => user.id === userId)) ?? this.#tenant;
  }

  authority(tenantId = this.#tenant.tenantId): string {
    return `${this.#baseUrl}/${tenantId}`;
  }

  issuer(tenantId = this.#tenant.tenantId): string {
    return `${this.#baseUrl}/${tenantId}/v2.0`;
  }

  /** Accepts the tenant id, the `common`/`organizations` aliases, and the tenant's domains. */
  resolveTenant(segment: string): string | undefined {
    const lower = segment.toLowerCase();
    if (lower === 'common' || lower === 'organizations') return this.#tenant.tenantId;
    return this.tenants.find(
      (tenant) => tenant.tenantId === lower || tenant.domains.some((domain) => domain.id === lower),
    )?.tenantId;
  }

  openIdConfiguration(tenantId = this.#tenant.tenantId): Record<string, unknown> {
    const authority = this.authority(tenantId);
    return {
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${this.#baseUrl}/${tenantId}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: this.issuer(tenantId),
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${this.#baseUrl}/oidc/userinfo`,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      claims_supported: [
        'sub',
        'iss',
        'aud',
        'exp',
        'iat',
        'nonce',
        'oid',
        'tid',
        'preferred_username',
        'name',
      ],
      tenant_region_scope: 'EU',
      cloud_instance_name: new URL(this.#baseUrl).host,
      cloud_graph_host_name: new URL(this.#baseUrl).host,
      msgraph_host: new URL(this.#baseUrl).host,
    };
  }

  /** MSAL's cloud discovery document for this authority host, so that MSAL never looks elsewhere. */
  cloudDiscoveryMetadata(): Record<string, unknown> {
    const host = new URL(this.#baseUrl).host;
    return {
      tenant_discovery_endpoint: `${this.issuer()}/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    };
  }

  jwks(): { keys: JWK[] } {
    if (!this.#publicJwk) throw new Error('identity provider not initialised');
    return { keys: [this.#publicJwk] };
  }

  #error(status: number, error: string, code: number, description: string): OAuthError {
    return {
      status,
      body: {
        error,
        error_description: `AADSTS${code}: ${description} Trace ID: ${crypto.randomUUID()} Timestamp: ${this.#clock.now().toISOString()}`,
        error_codes: [code],
        timestamp: this.#clock.now().toISOString(),
        trace_id: crypto.randomUUID(),
        correlation_id: crypto.randomUUID(),
      },
    };
  }

  #nowSeconds(): number {
    return Math.floor(this.#clock.now().getTime() / 1000);
  }

  async #sign(claims: JWTPayload, audience: string, lifetimeSeconds = tokenLifetimeSeconds): Promise<string> {
    if (!this.#privateKey) throw new Error('identity provider not initialised');
    const now = this.#nowSeconds();
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.#keyId })
      .setIssuer(this.issuer(typeof claims.tid === 'string' ? claims.tid : undefined))
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomToken(12))
      .sign(this.#privateKey);
  }

  /** An app-only Graph token, as client credentials would return; for tests and the control API. */
  async issueAppToken(
    tenantId = this.#tenant.tenantId,
    lifetimeSeconds = tokenLifetimeSeconds,
  ): Promise<string> {
    const claims: AccessTokenClaims = {
      tid: tenantId,
      oid: this.#tenant.app.servicePrincipalId,
      sub: this.#tenant.app.servicePrincipalId,
      appid: this.#tenant.app.clientId,
      idtyp: 'app',
      roles: applicationRoles,
    };
    return this.#sign(claims, graphAudience, lifetimeSeconds);
  }

  /** `api://{clientId}` when the scopes name the app's own API, else Graph. */
  apiAudience(): string {
    return `api://${this.#tenant.app.clientId}`;
  }

  #audienceOf(scope: string): string {
    return scope.split(' ').some((s) => s.startsWith(`${this.apiAudience()}/`))
      ? this.apiAudience()
      : graphAudience;
  }

  /** `aud` of API tokens: v2.0 tokens name the app by its client id, not by its `api://` URI. */
  apiTokenAudience(): string {
    return this.#tenant.app.clientId;
  }

  /** Signs an API token: v2.0 issuer of the token's own tenant, the app's client id as audience. */
  async #signApiToken(
    claims: ApiAccessTokenClaims,
    lifetimeSeconds = tokenLifetimeSeconds,
    variant: ApiTokenVariant = {},
  ): Promise<string> {
    if (!this.#privateKey) throw new Error('identity provider not initialised');
    const now = this.#nowSeconds();
    const payload: JWTPayload = { ...claims, ...variant.claims };
    for (const [name, value] of Object.entries(payload)) if (value === undefined) delete payload[name];
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.#keyId })
      .setIssuer(variant.issuer ?? this.issuer(claims.tid))
      .setAudience(variant.audience ?? this.apiTokenAudience())
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + lifetimeSeconds)
      .setJti(randomToken(12))
      .sign(this.#privateKey);
  }

  /** An app-only token for the service's own API, carrying the app roles granted to the app. */
  async #issueAppApiToken(tenantId: string): Promise<string> {
    return this.#signApiToken({
      tid: tenantId,
      oid: this.#tenant.app.servicePrincipalId,
      sub: this.#tenant.app.servicePrincipalId,
      azp: this.#tenant.app.clientId,
      azpacr: '1',
      ver: '2.0',
      idtyp: 'app',
      roles: ['HybridCalendar.Admin'],
    });
  }

  /** Tokens for a signed-in user: for Graph, or for the service's own API when the scopes name it. */
  async #issueUserTokens(userId: string, scope: string, nonce: string | undefined, clientInfo: boolean) {
    const tenantId = this.#tenantOfUser(userId).tenantId;
    const user = this.tenants.flatMap((tenant) => tenant.users).find((candidate) => candidate.id === userId);
    if (!user) throw new Error('unknown user');
    if (this.#audienceOf(scope) === this.apiAudience()) {
      return this.#tokenResponse(
        user,
        scope,
        await this.issueApiUserToken(user),
        `${this.apiAudience()}/access_as_user`,
        nonce,
        clientInfo,
      );
    }
    const graphScopes = scope
      .split(' ')
      .filter((s) => s && !['openid', 'profile', 'email', 'offline_access'].includes(s))
      .map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//, ''))
      .filter((s) => s !== '.default');
    const scp =
      graphScopes.length > 0
        ? graphScopes.join(' ')
        : 'Calendars.ReadWrite MailboxSettings.ReadWrite User.Read';
    const accessClaims: AccessTokenClaims = {
      tid: tenantId,
      oid: user.id,
      sub: user.id,
      appid: this.#tenant.app.clientId,
      idtyp: 'user',
      scp,
      upn: user.userPrincipalName,
      name: user.displayName,
      // Directory roles as the app's manifest asks for them (groupMembershipClaims: DirectoryRole).
      wids: user.directoryRoleTemplateIds,
    };
    return this.#tokenResponse(
      user,
      scope,
      await this.#sign(accessClaims, graphAudience),
      scp,
      nonce,
      clientInfo,
    );
  }

  /** The token endpoint's answer for a user: access token, a new refresh token, id token, client info. */
  async #tokenResponse(
    user: DirectoryUser,
    requestedScope: string,
    accessToken: string,
    grantedScope: string,
    nonce: string | undefined,
    clientInfo: boolean,
  ) {
    const tenantId = this.#tenantOfUser(user.id).tenantId;
    // As in Entra ID, a refresh token only when `offline_access` was asked for.
    const offline = requestedScope.split(' ').includes('offline_access');
    const refreshToken = offline ? randomToken(48) : undefined;
    if (refreshToken) {
      this.#refreshTokens.set(refreshToken, {
        clientId: this.#tenant.app.clientId,
        userId: user.id,
        scope: requestedScope,
      });
    }
    const idToken = await this.#sign(
      {
        tid: tenantId,
        oid: user.id,
        sub: user.id,
        name: user.displayName,
        preferred_username: user.userPrincipalName,
        wids: user.directoryRoleTemplateIds,
        ver: '2.0',
        ...(nonce ? { nonce } : {}),
      },
      this.#tenant.app.clientId,
    );
    return {
      token_type: 'Bearer',
      scope: `${grantedScope} openid profile${offline ? ' offline_access' : ''}`,
      expires_in: tokenLifetimeSeconds,
      ext_expires_in: tokenLifetimeSeconds,
      access_token: accessToken,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      id_token: idToken,
      ...(clientInfo
        ? {
            client_info: Buffer.from(JSON.stringify({ uid: user.id, utid: tenantId })).toString('base64url'),
          }
        : {}),
    };
  }

  /** A user token for the service's own API (v2.0, see `ApiAccessTokenClaims`): `roles` are the user's app roles. */
  async issueApiUserToken(user: DirectoryUser, lifetimeSeconds = tokenLifetimeSeconds): Promise<string> {
    return this.#signApiToken(this.#apiUserClaims(user), lifetimeSeconds);
  }

  /**
   * A user token for the API, changed as `variant` says and signed with the same key: what Entra ID
   * could also sign (a v1.0 token, another app's token, another tenant's) and the API must refuse.
   * For tests; the control API does not offer it.
   */
  async issueApiTokenVariant(user: DirectoryUser, variant: ApiTokenVariant): Promise<string> {
    return this.#signApiToken(this.#apiUserClaims(user), tokenLifetimeSeconds, variant);
  }

  #apiUserClaims(user: DirectoryUser): ApiAccessTokenClaims {
    return {
      tid: this.#tenantOfUser(user.id).tenantId,
      oid: user.id,
      sub: user.id,
      azp: this.#tenant.app.clientId,
      azpacr: '0',
      ver: '2.0',
      idtyp: 'user',
      scp: 'access_as_user',
      roles: user.appRoles ?? [],
      name: user.displayName,
      preferred_username: user.userPrincipalName,
    };
  }

  #checkPublicClient(form: URLSearchParams): OAuthError | undefined {
    if (form.get('client_id') === this.#tenant.app.clientId) return undefined;
    return this.#error(
      400,
      'unauthorized_client',
      700016,
      `Application with identifier '${form.get('client_id')}' was not found in the directory.`,
    );
  }

  async #checkClient(
    form: URLSearchParams,
    authorization: string | undefined,
  ): Promise<OAuthError | undefined> {
    let clientId = form.get('client_id');
    let secret = form.get('client_secret');
    if (authorization?.startsWith('Basic ')) {
      const [id, pass] = Buffer.from(authorization.slice(6), 'base64').toString().split(':');
      clientId = decodeURIComponent(id ?? '');
      secret = decodeURIComponent(pass ?? '');
    }
    if (clientId !== this.#tenant.app.clientId) {
      return this.#error(
        400,
        'unauthorized_client',
        700016,
        `Application with identifier '${clientId}' was not found in the directory.`,
      );
    }
    const assertionType = form.get('client_assertion_type');
    if (assertionType !== null) {
      if (assertionType !== jwtBearerAssertionType)
        return this.#error(400, 'invalid_request', 50027, 'Invalid client_assertion_type.');
      const refusal = await this.#assertions.verify(form.get('client_assertion') ?? '');
      return refusal ? this.#error(401, 'invalid_client', refusal.code, refusal.description) : undefined;
    }
    if (secret !== this.#tenant.app.clientSecret) {
      return this.#error(401, 'invalid_client', 7000215, 'Invalid client secret provided.');
    }
    return undefined;
  }

  /** The token endpoint: `POST /{tenant}/oauth2/v2.0/token` with a form body. */
  async token(
    tenantId: string,
    form: URLSearchParams,
    authorization: string | undefined,
    origin?: string,
  ): Promise<{ status: number; body: unknown }> {
    // A browser app (SPA platform) redeems with PKCE and no secret; see spaClients.ts.
    const spa = isSpaRedemption(form, origin);
    const clientError = spa ? this.#checkPublicClient(form) : await this.#checkClient(form, authorization);
    if (clientError) return clientError;
    const grantType = form.get('grant_type');
    const clientInfo = form.get('client_info') === '1';
    if (grantType === 'client_credentials') {
      if (!this.consentedTenants.has(tenantId)) {
        return this.#error(
          400,
          'invalid_grant',
          65001,
          'The user or administrator has not consented to use the application.',
        );
      }
      const scope = form.get('scope') ?? '';
      if (!scope.split(' ').some((s) => s.endsWith('/.default'))) {
        return this.#error(
          400,
          'invalid_scope',
          1002012,
          'The provided value for scope is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.',
        );
      }
      const ownApi = scope.split(' ').includes(`${this.apiAudience()}/.default`);
      return {
        status: 200,
        body: {
          token_type: 'Bearer',
          expires_in: tokenLifetimeSeconds,
          ext_expires_in: tokenLifetimeSeconds,
          access_token: ownApi ? await this.#issueAppApiToken(tenantId) : await this.issueAppToken(tenantId),
        },
      };
    }
    if (grantType === 'authorization_code') {
      const code = this.#codes.get(form.get('code') ?? '');
      this.#codes.delete(form.get('code') ?? '');
      if (!code || code.expiresAtMs < this.#clock.now().getTime()) {
        return this.#error(
          400,
          'invalid_grant',
          70008,
          'The provided authorization code or refresh token has expired due to inactivity.',
        );
      }
      if (code.redirectUri !== form.get('redirect_uri')) {
        return this.#error(
          400,
          'invalid_grant',
          50148,
          'The redirect_uri does not match the one used to request the code.',
        );
      }
      const spaProblem = spa && origin ? spaRedemptionProblem(origin, code) : undefined;
      if (spaProblem) return this.#error(400, 'invalid_request', 9002326, spaProblem);
      if (code.codeChallenge !== undefined) {
        const verifier = form.get('code_verifier') ?? '';
        const challenge = createHash('sha256').update(verifier).digest('base64url');
        if (challenge !== code.codeChallenge) {
          return this.#error(
            400,
            'invalid_grant',
            501481,
            'The Code_Verifier does not match the code_challenge supplied in the authorization request.',
          );
        }
      }
      return {
        status: 200,
        body: await this.#issueUserTokens(
          code.userId,
          form.get('scope') ?? code.scope,
          code.nonce,
          clientInfo,
        ),
      };
    }
    if (grantType === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const stored = this.#refreshTokens.get(presented);
      if (!stored) {
        return this.#error(400, 'invalid_grant', 700082, 'The refresh token has expired due to inactivity.');
      }
      // A revoked token is refused with its code every time it is presented.
      const refusal = stored.refusedWith;
      if (refusal !== undefined) {
        return this.#error(
          400,
          'invalid_grant',
          refusal,
          refreshTokenFailures[refusal] ?? 'The grant was refused.',
        );
      }
      // Refresh tokens rotate: the old one is spent.
      this.#refreshTokens.delete(presented);
      return {
        status: 200,
        body: await this.#issueUserTokens(
          stored.userId,
          form.get('scope') ?? stored.scope,
          undefined,
          clientInfo,
        ),
      };
    }
    return this.#error(
      400,
      'unsupported_grant_type',
      70003,
      `The app requested an unsupported grant type '${grantType}'.`,
    );
  }

  /**
   * Revokes every refresh token of a user, as a password reset or an admin would: the next refresh
   * fails with `invalid_grant` and the AADSTS code given (50173, "revoked or password changed", by
   * default), until the user signs in again.
   */
  revokeRefreshTokens(userId: string, aadsts = 50173): number {
    let revoked = 0;
    for (const stored of this.#refreshTokens.values()) {
      if (stored.userId === userId) {
        stored.refusedWith = aadsts;
        revoked += 1;
      }
    }
    return revoked;
  }

  /**
   * `GET /{tenant}/oauth2/v2.0/authorize`: signs in the user named by `login_hint` at once (a local
   * simulator has no password page) and redirects with a code; without a hint, a page to choose a user.
   */
  authorize(
    query: URLSearchParams,
  ):
    | { kind: 'redirect'; location: string }
    | { kind: 'choose-user'; users: DirectoryUser[] }
    | { kind: 'error'; status: number; message: string } {
    const redirectUri = query.get('redirect_uri');
    if (query.get('client_id') !== this.#tenant.app.clientId) {
      return { kind: 'error', status: 400, message: 'AADSTS700016: unknown client_id' };
    }
    if (!redirectUri)
      return { kind: 'error', status: 400, message: 'AADSTS900144: redirect_uri is required' };
    if (query.get('response_type') !== 'code') {
      return { kind: 'error', status: 400, message: 'AADSTS900144: only response_type=code is supported' };
    }
    const hint = query.get('login_hint')?.toLowerCase();
    const people = this.tenants.flatMap((tenant) => tenant.users).filter((user) => !user.isRoom);
    if (!hint) return { kind: 'choose-user', users: people };
    const user = people.find(
      (candidate) =>
        candidate.userPrincipalName.toLowerCase() === hint || candidate.mail.toLowerCase() === hint,
    );
    const target = new URL(redirectUri);
    const state = query.get('state');
    if (!user) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set(
        'error_description',
        'AADSTS50034: The user account does not exist in this directory.',
      );
    } else {
      if (query.get('code_challenge') && query.get('code_challenge_method') !== 'S256') {
        return {
          kind: 'error',
          status: 400,
          message: 'AADSTS501491: only code_challenge_method=S256 is supported',
        };
      }
      const code = randomToken(48);
      this.#codes.set(code, {
        clientId: this.#tenant.app.clientId,
        redirectUri,
        scope: query.get('scope') ?? '',
        codeChallenge: query.get('code_challenge') ?? undefined,
        userId: user.id,
        nonce: query.get('nonce') ?? undefined,
        expiresAtMs: this.#clock.now().getTime() + 10 * 60_000,
      });
      target.searchParams.set('code', code);
      target.searchParams.set(
        'client_info',
        Buffer.from(JSON.stringify({ uid: user.id, utid: this.#tenantOfUser(user.id).tenantId })).toString(
          'base64url',
        ),
      );
    }
    if (state) target.searchParams.set('state', state);
    return { kind: 'redirect', location: target.toString() };
  }

  /**
   * `GET /{tenant}/adminconsent` (and `/v2.0/adminconsent`): the administrator grants the app's
   * permissions for the tenant. A `login_hint` naming a non-administrator is refused, as Entra ID would.
   */
  adminConsent(
    tenantId: string,
    query: URLSearchParams,
  ): { kind: 'redirect'; location: string } | { kind: 'error'; status: number; message: string } {
    const redirectUri = query.get('redirect_uri');
    if (query.get('client_id') !== this.#tenant.app.clientId)
      return { kind: 'error', status: 400, message: 'AADSTS700016: unknown client_id' };
    if (!redirectUri)
      return { kind: 'error', status: 400, message: 'AADSTS900144: redirect_uri is required' };
    const target = new URL(redirectUri);
    const hint = query.get('login_hint')?.toLowerCase();
    const tenantUsers = this.tenants.find((tenant) => tenant.tenantId === tenantId)?.users ?? [];
    const admin = hint
      ? tenantUsers.find((user) => user.userPrincipalName.toLowerCase() === hint)
      : undefined;
    if (hint && !admin?.directoryRoleTemplateIds.length) {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set(
        'error_description',
        'AADSTS90094: An administrator of the tenant must grant consent.',
      );
    } else if (this.decliningTenants.has(tenantId)) {
      // The administrator pressed Cancel: Entra still sends admin_consent=True, with the error.
      this.decliningTenants.delete(tenantId);
      target.searchParams.set('admin_consent', 'True');
      target.searchParams.set('tenant', tenantId);
      target.searchParams.set('error', 'consent_required');
      target.searchParams.set(
        'error_description',
        'AADSTS65004: User declined to consent to access the app.',
      );
    } else {
      this.consentedTenants.add(tenantId);
      target.searchParams.set('admin_consent', 'True');
      target.searchParams.set('tenant', tenantId);
      if (query.get('scope')) target.searchParams.set('scope', query.get('scope') ?? '');
    }
    const state = query.get('state');
    if (state) target.searchParams.set('state', state);
    return { kind: 'redirect', location: target.toString() };
  }

  /** Verifies a bearer token for Graph: signature, issuer, audience, lifetime. */
  async verifyAccessToken(token: string): Promise<AccessTokenClaims> {
    if (!this.#publicKey) throw new Error('identity provider not initialised');
    const { payload } = await jwtVerify(token, this.#publicKey, {
      issuer: this.tenants.map((tenant) => this.issuer(tenant.tenantId)),
      audience: graphAudience,
      algorithms: ['RS256'],
      currentDate: this.#clock.now(),
    });
    return payload as AccessTokenClaims;
  }
}
