import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { AdjustableClock } from '../../shared/time/clock.js';
import { defaultFaultSeed, RandomStreams, seedSchema } from '../seededRandom.js';
import { CalendarService } from './calendars.js';
import { buildDemoTenant, type DemoTenant, type DirectoryUser } from './demoTenant.js';
import type { FederatedIdentityCredential } from './federatedCredentials.js';
import { GraphApi, type GraphResponse } from './graphApi.js';
import { GraphError, graphErrorBody } from './graphErrors.js';
import { type AccessTokenClaims, SimulatedIdentityProvider } from './identity.js';
import { faultSettingsSchema, MailboxLimiter } from './limits.js';
import { PageSnapshots } from './paging.js';
import { revokeRefreshTokensSchema } from './refreshTokenRevocations.js';
import { buildSecondTenant, type DirectoryGroup } from './secondTenant.js';
import { tokenEndpointCorsHeaders } from './spaClients.js';
import { type DeliveryOptions, SubscriptionService } from './subscriptions.js';

export interface GraphSimulatorOptions {
  tls: { cert: string; key: string };
  port: number;
  host?: string;
  tenant?: DemoTenant;
  /** The demo tenant starts consented, as if its admin had granted the app's permissions. */
  consented?: boolean;
  delivery?: Partial<DeliveryOptions>;
  /** Seed of the injected faults (429s, 503s, dropped and duplicated notifications); default 1. */
  faultSeed?: number;
  /** The clock to live by; the local stack passes its own, so that one move moves everything. */
  clock?: AdjustableClock;
  /** Tenants besides the demo tenant, unconsented at start; default: the second tenant (`secondTenant.ts`). */
  otherTenants?: Array<{ tenant: DemoTenant; groups: DirectoryGroup[] }>;
  /** The app's federated identity credentials: issuers whose client assertions stand in for the secret. */
  federatedCredentials?: FederatedIdentityCredential[];
}

/** The largest Graph request body the simulator reads. */
const maxBodyBytes = 4 * 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (body === undefined || status === 204) {
    response.writeHead(status, headers);
    response.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type':
      typeof body === 'string'
        ? 'text/html; charset=utf-8'
        : 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8',
    ...headers,
  });
  response.end(text);
}

const lifecycleSchema = z.object({
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
});
const faultsInputSchema = faultSettingsSchema.partial().extend({ seed: seedSchema.optional() });
const addUsersSchema = z.object({
  count: z.number().int().min(1).max(10_000),
  prefix: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .default('user'),
});

/**
 * A Microsoft Graph v1.0 and identity platform simulator for the local stack and tests: a demo tenant,
 * OAuth endpoints MSAL can use, the calendar surface the service uses, subscriptions that deliver
 * notifications, per-mailbox limits, injected faults, and a control API under `/_control`.
 */
export class GraphSimulator {
  readonly clock: AdjustableClock;
  readonly tenant: DemoTenant;
  /** Tenants besides the demo tenant (onboarding starts them from zero), with their groups. */
  readonly otherTenants: ReadonlyArray<{ tenant: DemoTenant; groups: DirectoryGroup[] }>;
  readonly calendars: CalendarService;
  readonly limiter: MailboxLimiter;
  readonly subscriptions: SubscriptionService;
  /** Graph requests by `METHOD first-segment` (e.g. `POST $batch`, `PATCH subscriptions`), whatever the mailbox. */
  readonly requestCounts = new Map<string, number>();
  /** Every injected fault is drawn from these streams, derived from one seed. */
  readonly faultRandom: RandomStreams;
  #identity: SimulatedIdentityProvider | undefined;
  #api: GraphApi | undefined;
  #server: Server | undefined;
  #baseUrl = '';
  readonly #options: GraphSimulatorOptions;

  constructor(options: GraphSimulatorOptions) {
    this.#options = options;
    this.clock = options.clock ?? new AdjustableClock();
    this.tenant = options.tenant ?? buildDemoTenant();
    this.calendars = new CalendarService(this.tenant.users, this.clock);
    this.otherTenants = options.otherTenants ?? [buildSecondTenant(this.tenant.app)];
    for (const { tenant } of this.otherTenants)
      for (const user of tenant.users) if (user.exchangeLicensed !== false) this.calendars.addMailbox(user);
    this.faultRandom = new RandomStreams(options.faultSeed ?? defaultFaultSeed);
    this.limiter = new MailboxLimiter(this.clock, this.faultRandom);
    this.subscriptions = new SubscriptionService(
      this.calendars,
      this.clock,
      options.delivery,
      this.faultRandom,
    );
  }

  /** The seed injected faults are drawn from. */
  get faultSeed(): number {
    return this.faultRandom.seed;
  }

  /** Starts every fault stream again from `seed`: the same requests then meet the same faults. */
  reseedFaults(seed: number): void {
    this.faultRandom.reseed(seed);
  }

  get identity(): SimulatedIdentityProvider {
    if (!this.#identity) throw new Error('the Graph simulator is not started');
    return this.#identity;
  }

  /** `https://127.0.0.1:{port}`: the authority host and Graph host at once. */
  get baseUrl(): string {
    return this.#baseUrl;
  }

  get graphUrl(): string {
    return `${this.#baseUrl}/v1.0`;
  }

  async start(): Promise<string> {
    const server = createServer(
      { cert: this.#options.tls.cert, key: this.#options.tls.key },
      (request, response) => {
        this.#serve(request, response).catch((error: unknown) => {
          console.error('graph simulator: request failed', error);
          if (!response.headersSent)
            send(response, 500, { error: { code: 'InternalServerError', message: 'simulator failure' } });
          else response.end();
        });
      },
    );
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#options.port, this.#options.host ?? '127.0.0.1', () => resolve());
    });
    this.#server = server;
    const { port } = server.address() as AddressInfo;
    this.#baseUrl = `https://${this.#options.host ?? '127.0.0.1'}:${port}`;
    this.#identity = new SimulatedIdentityProvider(
      this.tenant,
      this.#baseUrl,
      this.clock,
      this.otherTenants.map(({ tenant }) => tenant),
      this.#options.federatedCredentials,
    );
    await this.#identity.init();
    if (this.#options.consented !== false) this.#identity.consentedTenants.add(this.tenant.tenantId);
    this.#api = new GraphApi({
      tenant: this.tenant,
      calendars: this.calendars,
      subscriptions: this.subscriptions,
      limiter: this.limiter,
      pages: new PageSnapshots(this.clock),
      clock: this.clock,
      baseUrl: this.#baseUrl,
      otherTenants: this.otherTenants.map(({ tenant }) => tenant),
      groups: new Map(this.otherTenants.map(({ tenant, groups }) => [tenant.tenantId, groups])),
    });
    return this.#baseUrl;
  }

  async stop(): Promise<void> {
    this.subscriptions.close();
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Adds users with mailboxes, for bulk tests: `{prefix}-0001@{default domain}` and so on. */
  addUsers(count: number, prefix = 'user'): DirectoryUser[] {
    const domain = this.tenant.domains.find((candidate) => candidate.isDefault)?.id ?? 'contoso.example';
    const added: DirectoryUser[] = [];
    const start = this.tenant.users.filter((user) => user.userPrincipalName.startsWith(`${prefix}-`)).length;
    for (let index = start + 1; index <= start + count; index += 1) {
      const number = index.toString().padStart(4, '0');
      const user: DirectoryUser = {
        id: crypto.randomUUID(),
        displayName: `${prefix} ${number}`,
        userPrincipalName: `${prefix}-${number}@${domain}`,
        mail: `${prefix}-${number}@${domain}`,
        preferredLanguage: 'en-US',
        timeZone: 'UTC',
        isRoom: false,
        directoryRoleTemplateIds: [],
      };
      this.tenant.users.push(user);
      this.calendars.addMailbox(user);
      added.push(user);
    }
    return added;
  }

  async #serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.#baseUrl);
    const method = (request.method ?? 'GET').toUpperCase();
    const requestId = crypto.randomUUID();
    const clientRequestId =
      typeof request.headers['client-request-id'] === 'string'
        ? request.headers['client-request-id']
        : requestId;
    const common = { 'request-id': requestId, 'client-request-id': clientRequestId };
    const body = await readBody(request);
    if (body === undefined) {
      return send(
        response,
        413,
        graphErrorBody(
          new GraphError(413, 'RequestEntityTooLarge', 'The request body is too large.'),
          requestId,
          this.clock.now(),
        ),
        common,
      );
    }
    if (url.pathname.startsWith('/_control/')) return this.#control(method, url, body, response);
    if (url.pathname === '/v1.0' || url.pathname.startsWith('/v1.0/')) {
      const kind = `${method} ${url.pathname.split('/')[2] ?? ''}`;
      this.requestCounts.set(kind, (this.requestCounts.get(kind) ?? 0) + 1);
      const result = await this.#graph(method, url, request, body, requestId);
      return send(response, result.status, result.body, { ...common, ...(result.headers ?? {}) });
    }
    return this.#identityRoute(method, url, request, body, response);
  }

  async #graph(
    method: string,
    url: URL,
    request: IncomingMessage,
    body: Buffer,
    requestId: string,
  ): Promise<GraphResponse> {
    try {
      const claims = await this.#authenticate(request.headers.authorization);
      let parsedBody: unknown;
      if (body.length > 0) {
        try {
          parsedBody = JSON.parse(body.toString('utf8'));
        } catch {
          throw new GraphError(
            400,
            'BadRequest',
            'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
          );
        }
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers[name.toLowerCase()] = value;
      }
      return await (this.#api as GraphApi).handle({
        method,
        path: url.pathname.slice('/v1.0'.length) || '/',
        query: url.searchParams,
        headers,
        body: parsedBody,
        claims,
      });
    } catch (error) {
      if (error instanceof GraphError) {
        return {
          status: error.status,
          headers: error.headers,
          body: graphErrorBody(error, requestId, this.clock.now()),
        };
      }
      throw error;
    }
  }

  async #authenticate(authorization: string | undefined): Promise<AccessTokenClaims> {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) throw new GraphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    try {
      return await this.identity.verifyAccessToken(token);
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw new GraphError(
        401,
        'InvalidAuthenticationToken',
        expired
          ? 'Lifetime validation failed, the token is expired.'
          : 'Access token validation failure. Invalid audience or signature.',
        {
          'WWW-Authenticate': `Bearer realm="", authorization_uri="${this.identity.authority()}/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`,
        },
      );
    }
  }

  async #identityRoute(
    method: string,
    url: URL,
    request: IncomingMessage,
    body: Buffer,
    response: ServerResponse,
  ): Promise<void> {
    const identity = this.identity;
    if (url.pathname === '/common/discovery/instance')
      return send(response, 200, identity.cloudDiscoveryMetadata());
    const match =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token|oauth2\/v2\.0\/authorize|adminconsent|v2\.0\/adminconsent)$/.exec(
        url.pathname,
      );
    const tenantId = match ? identity.resolveTenant(match[1] ?? '') : undefined;
    if (!match || !tenantId) {
      return send(response, 404, {
        error: 'not_found',
        error_description: `No simulator endpoint at ${url.pathname}`,
      });
    }
    const endpoint = match[2] ?? '';
    if (endpoint.endsWith('openid-configuration') && method === 'GET')
      return send(response, 200, identity.openIdConfiguration(tenantId));
    if (endpoint === 'discovery/v2.0/keys' && method === 'GET') return send(response, 200, identity.jwks());
    if (endpoint === 'oauth2/v2.0/token' && method === 'OPTIONS')
      return send(response, 204, undefined, tokenEndpointCorsHeaders(request.headers.origin));
    if (endpoint === 'oauth2/v2.0/token' && method === 'POST') {
      const result = await identity.token(
        tenantId,
        new URLSearchParams(body.toString('utf8')),
        request.headers.authorization,
        request.headers.origin,
      );
      return send(response, result.status, result.body, {
        'cache-control': 'no-store',
        ...tokenEndpointCorsHeaders(request.headers.origin),
      });
    }
    if (endpoint === 'oauth2/v2.0/authorize' && method === 'GET') {
      const outcome = identity.authorize(url.searchParams);
      if (outcome.kind === 'redirect') return send(response, 302, undefined, { location: outcome.location });
      if (outcome.kind === 'error')
        return send(response, outcome.status, `<!doctype html><p>${outcome.message}</p>`);
      return send(response, 200, this.#chooseUserPage(url, outcome.users));
    }
    if (endpoint.endsWith('adminconsent') && method === 'GET') {
      const outcome = identity.adminConsent(tenantId, url.searchParams);
      if (outcome.kind === 'redirect') return send(response, 302, undefined, { location: outcome.location });
      return send(response, outcome.status, `<!doctype html><p>${outcome.message}</p>`);
    }
    return send(response, 405, {
      error: 'invalid_request',
      error_description: `${method} is not supported here`,
    });
  }

  #chooseUserPage(url: URL, users: readonly DirectoryUser[]): string {
    const escapeHtml = (text: string) =>
      text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const links = users
      .map((user) => {
        const target = new URL(url.toString());
        target.searchParams.set('login_hint', user.userPrincipalName);
        return `<li><a href="${escapeHtml(target.toString())}">${escapeHtml(user.displayName)} (${escapeHtml(user.userPrincipalName)})</a></li>`;
      })
      .join('');
    return `<!doctype html><html><head><title>Sign in (Graph simulator)</title></head><body><h1>Pick an account</h1><ul>${links}</ul></body></html>`;
  }

  async #control(method: string, url: URL, body: Buffer, response: ServerResponse): Promise<void> {
    const path = url.pathname.slice('/_control'.length);
    let input: unknown = {};
    try {
      input = body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return send(response, 400, { error: { code: 'BadRequest', message: 'The body must be JSON.' } });
    }
    const invalid = (message: string) => send(response, 400, { error: { code: 'BadRequest', message } });
    if (path === '/stats' && method === 'GET') {
      return send(response, 200, {
        requests: Object.fromEntries(this.requestCounts),
        mailboxes: Object.fromEntries(this.limiter.stats),
        notifications: this.subscriptions.stats,
      });
    }
    if (path === '/stats/reset' && method === 'POST') {
      this.limiter.reset();
      this.requestCounts.clear();
      Object.assign(this.subscriptions.stats, {
        delivered: 0,
        failedAttempts: 0,
        duplicated: 0,
        dropped: 0,
        lifecycleDelivered: 0,
      });
      return send(response, 204, undefined);
    }
    if (path === '/faults' && method === 'GET')
      return send(response, 200, { ...this.limiter.settings, seed: this.faultSeed });
    if (path === '/faults' && method === 'POST') {
      const parsed = faultsInputSchema.safeParse(input);
      if (!parsed.success)
        return invalid(
          parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '),
        );
      const { seed, ...settings } = parsed.data;
      this.limiter.settings = { ...this.limiter.settings, ...settings };
      this.subscriptions.dropRate = this.limiter.settings.dropNotificationRate;
      this.subscriptions.duplicateRate = this.limiter.settings.duplicateNotificationRate;
      if (seed !== undefined) this.reseedFaults(seed);
      return send(response, 200, { ...this.limiter.settings, seed: this.faultSeed });
    }
    if (path === '/subscriptions' && method === 'GET') {
      return send(response, 200, {
        value: [...this.subscriptions.subscriptions.values()].map((s) => this.subscriptions.toGraph(s)),
      });
    }
    const lifecycle = /^\/subscriptions\/([^/]+)\/lifecycle$/.exec(path);
    if (lifecycle && method === 'POST') {
      const parsed = lifecycleSchema.safeParse(input);
      if (!parsed.success)
        return invalid('lifecycleEvent must be reauthorizationRequired, subscriptionRemoved or missed');
      try {
        const delivered = await this.subscriptions.fireLifecycle(
          decodeURIComponent(lifecycle[1] ?? ''),
          parsed.data.lifecycleEvent,
        );
        return send(response, 200, { delivered });
      } catch (error) {
        if (error instanceof GraphError)
          return send(response, error.status, { error: { code: error.code, message: error.message } });
        throw error;
      }
    }
    const mailboxAction =
      /^\/mailboxes\/([^/]+)\/(gone|restore|invalidate-delta|revoke-refresh-tokens)$/.exec(path);
    if (mailboxAction && method === 'POST') {
      const key = decodeURIComponent(mailboxAction[1] ?? '');
      const mailbox = this.calendars.mailboxes.get(key) ?? this.calendars.mailboxByAddress(key);
      if (!mailbox) return send(response, 404, { error: { code: 'NotFound', message: `No mailbox ${key}` } });
      const action = mailboxAction[2];
      if (action === 'gone') mailbox.gone = true;
      if (action === 'restore') mailbox.gone = false;
      if (action === 'invalidate-delta') mailbox.deltaGeneration += 1;
      if (action === 'revoke-refresh-tokens') {
        const revocation = revokeRefreshTokensSchema.safeParse(input);
        if (!revocation.success)
          return invalid(revocation.error.issues.map((issue) => issue.message).join('; '));
        this.identity.revokeRefreshTokens(mailbox.user.id, revocation.data.aadsts);
      }
      return send(response, 204, undefined);
    }
    if (path === '/users' && method === 'POST') {
      const parsed = addUsersSchema.safeParse(input);
      if (!parsed.success)
        return invalid('count (1 to 10000) is required; prefix is lowercase letters, digits and -');
      const users = this.addUsers(parsed.data.count, parsed.data.prefix);
      return send(response, 201, {
        value: users.map((user) => ({ id: user.id, mail: user.mail, displayName: user.displayName })),
      });
    }
    if (path === '/tokens/api' && method === 'POST') {
      // A user's token for the service's own API, as the authorization-code flow would give it.
      const parsed = z.object({ user: z.string().min(1) }).safeParse(input);
      if (!parsed.success) return invalid('user (id or mail) is required');
      const key = parsed.data.user.toLowerCase();
      const user = this.identity.tenants
        .flatMap((tenant) => tenant.users)
        .find((candidate) => candidate.id === key || candidate.mail.toLowerCase() === key);
      if (!user)
        return send(response, 404, { error: { code: 'NotFound', message: `No user ${parsed.data.user}` } });
      return send(response, 200, {
        access_token: await this.identity.issueApiUserToken(user),
        token_type: 'Bearer',
      });
    }
    const consentDecision = /^\/tenants\/([^/]+)\/admin-consent$/.exec(path);
    if (consentDecision && method === 'POST') {
      // What the administrator will press on the next consent page: Accept or Cancel.
      const parsed = z.object({ decision: z.enum(['accept', 'decline']) }).safeParse(input);
      if (!parsed.success) return invalid('decision (accept or decline) is required');
      const tenantId = decodeURIComponent(consentDecision[1] ?? '').toLowerCase();
      if (parsed.data.decision === 'decline') this.identity.decliningTenants.add(tenantId);
      else this.identity.decliningTenants.delete(tenantId);
      return send(response, 200, {
        tenantId,
        decision: parsed.data.decision,
        consented: this.identity.consentedTenants.has(tenantId),
      });
    }
    if (path === '/clock' && method === 'POST') {
      const parsed = z.object({ advanceMs: z.number().int().min(0) }).safeParse(input);
      if (!parsed.success) return invalid('advanceMs (milliseconds, not negative) is required');
      this.clock.advanceBy(parsed.data.advanceMs);
      return send(response, 200, { now: this.clock.now().toISOString() });
    }
    if (path === '/notifications/settle' && method === 'POST') {
      await this.subscriptions.settle();
      return send(response, 200, this.subscriptions.stats);
    }
    return send(response, 404, {
      error: { code: 'NotFound', message: `No control endpoint ${method} ${path}` },
    });
  }
}
