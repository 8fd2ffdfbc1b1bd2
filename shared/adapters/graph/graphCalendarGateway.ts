import {
  AuthenticationHandler,
  AuthenticationHandlerOptions,
  Client,
  GraphError as GraphSdkError,
  HTTPMessageHandler,
} from '@microsoft/microsoft-graph-client';
import { z } from 'zod';
import type { MailboxRef, TenantOrMailbox, TimeWindow } from '../../calendar/mailbox.js';
import type { GraphTokenProvider, MailboxDelegation } from '../../calendar/tokenProvider.js';
import { AppError } from '../../errors.js';
import { inClientSpan, recordGraphRequest, routeTemplate } from '../../observability/telemetry.js';
import type { Clock } from '../../time/clock.js';
import type {
  BatchResult,
  BatchStep,
  CalendarGateway,
  DeltaResult,
  EventResponse,
  NewSubscription,
} from './calendarGateway.js';
import { isGraphId, isUserKey } from './graphIds.js';
import {
  batchResponseSchema,
  collectionSchema,
  type GraphDomain,
  type GraphEvent,
  type GraphSubscription,
  type GraphUser,
  graphDomainSchema,
  graphErrorBodySchema,
  graphEventSchema,
  graphSubscriptionSchema,
  graphUserSchema,
  type MailboxSettings,
  mailboxSettingsSchema,
  removedEventSchema,
  roleAssignmentSchema,
  type ScheduleInformation,
  scheduleInformationSchema,
} from './graphModels.js';
import { errorCodeForGraph, GraphRequestError, parseRetryAfter } from './graphRequestError.js';
import { MailboxConcurrency } from './mailboxConcurrency.js';
import { defaultRetryPolicy, isRetryableStatus, type RetryPolicy, retryDelayMs } from './retryPolicy.js';

export interface GraphGatewayOptions {
  /** `https://graph.microsoft.com/v1.0`, or the simulator's `https://127.0.0.1:7072/v1.0`. */
  graphBaseUrl: string;
  tokens: GraphTokenProvider;
  /**
   * Delegated tokens of users who connected their own calendar: asked first for every request made
   * for a mailbox; when it has none, the tenant's app token is used.
   */
  delegation?: MailboxDelegation;
  clock: Clock;
  retryPolicy?: RetryPolicy;
  /** Draws the retry jitter: seeded, so that a test run replays exactly (production seeds it at random). */
  jitter: () => number;
  /** Requests in flight per mailbox; Outlook's limit is 4. */
  maxConcurrentPerMailbox?: number;
  sleep?: (ms: number) => Promise<void>;
}

const globalAdministratorTemplateId = '62e90394-69f5-4237-9190-012177145e10';
/** Graph answers in UTC and with ids that survive moves between folders. */
const calendarPreferences = 'outlook.timezone="UTC", IdType="ImmutableId"';
const maxBatchSize = 20;

/** The fixed words of the Graph paths the gateway calls; every other segment is an id or a name. */
const graphStaticSegments: ReadonlySet<string> = new Set([
  'users',
  'me',
  'events',
  'mailboxSettings',
  'calendarView',
  'delta',
  'calendar',
  'getSchedule',
  'instances',
  'accept',
  'decline',
  'tentativelyAccept',
  'cancel',
  'subscriptions',
  'domains',
  'roleManagement',
  'directory',
  'roleAssignments',
  '$batch',
]);

/** The operation a request performs, as a route template (`PATCH /users/{id}/events/{id}`): no ids, no addresses. */
export function graphOperation(method: string, path: string): string {
  // Next and delta links are absolute URLs under the version root.
  const relative = /^https?:\/\//.test(path)
    ? new URL(path).pathname.replace(/^\/(v1\.0|beta)(?=\/)/, '')
    : path;
  return `${method} ${routeTemplate(relative.startsWith('/') ? relative : `/${relative}`, graphStaticSegments)}`;
}

/** What a client span and the request metric record as status; 0 when Graph was not reached. */
function statusOfFailure(error: unknown): number {
  return error instanceof GraphSdkError && error.statusCode > 0 ? error.statusCode : 0;
}

/**
 * A request as error messages name it: users (an id or a principal name, i.e. an address) and
 * events become `{id}`, so no address reaches a job's reason, a page or a dead-letter description.
 */
function actionOf(spec: RequestSpec): string {
  return `${spec.method} ${spec.path
    .split('?')[0]
    ?.replace(/\/users\/[^/]+/, '/users/{id}')
    .replace(/\/events\/[^/]+/, '/events/{id}')}`;
}

const successStatus = { GET: 200, POST: 201, PATCH: 200, DELETE: 204 } as const;

interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

function extendedExpand(ids: readonly string[] | undefined): Record<string, string> {
  if (!ids || ids.length === 0) return {};
  const filter = ids.map((id) => `id eq '${id.replace(/'/g, "''")}'`).join(' or ');
  return { $expand: `singleValueExtendedProperties($filter=${filter})` };
}

function mailboxPath(mailbox: MailboxRef): string {
  if (!isUserKey(mailbox.userId)) {
    throw new GraphRequestError('input-invalid', {
      status: 400,
      graphCode: 'invalidUserId',
      message: 'The user id is neither an object id nor a user principal name.',
    });
  }
  return `/users/${encodeURIComponent(mailbox.userId)}`;
}

/** An event id as a path segment; one Graph never issues is refused (permanently) before any URL is built. */
function eventSegment(eventId: string): string {
  if (!isGraphId(eventId)) {
    throw new GraphRequestError('input-invalid', {
      status: 400,
      graphCode: 'invalidEventId',
      message: 'The event id is not a Graph id.',
    });
  }
  return encodeURIComponent(eventId);
}

/**
 * The calendar gateway on `@microsoft/microsoft-graph-client`. The SDK sends the requests; this
 * adapter adds what the SDK leaves out: at most 4 requests in flight per mailbox, Retry-After
 * honoured with jitter and bounded attempts, paging, batching, and zod at the edge.
 */
export class GraphCalendarGateway implements CalendarGateway {
  readonly #options: GraphGatewayOptions;
  readonly #clients = new Map<string, Client>();
  /** Tenants (and mailboxes) whose next token must bypass the cache, because Graph refused the cached one. */
  readonly #refreshToken = new Set<string>();
  readonly #concurrency: MailboxConcurrency;
  readonly #clock: Clock;
  readonly #policy: RetryPolicy;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #versionRoot: string;
  readonly #origin: string;

  constructor(options: GraphGatewayOptions) {
    this.#options = options;
    this.#clock = options.clock;
    this.#policy = options.retryPolicy ?? defaultRetryPolicy;
    this.#concurrency = new MailboxConcurrency(options.maxConcurrentPerMailbox ?? 4);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    const base = new URL(options.graphBaseUrl);
    this.#origin = base.origin;
    this.#versionRoot = base.pathname.replace(/^\/+|\/+$/g, '') || 'v1.0';
  }

  #client(tenantId: string): Client {
    let client = this.#clients.get(tenantId);
    if (!client) {
      const authentication = new AuthenticationHandler({
        getAccessToken: () => {
          const forceRefresh = this.#refreshToken.delete(tenantId);
          return this.#options.tokens.appToken(tenantId, { forceRefresh });
        },
      });
      authentication.setNext(new HTTPMessageHandler());
      // No SDK RetryHandler: retries happen here, outside the mailbox's concurrency slot.
      client = Client.initWithMiddleware({
        middleware: authentication,
        baseUrl: `${this.#origin}/`,
        defaultVersion: this.#versionRoot,
        customHosts: new Set([new URL(this.#origin).hostname]),
      });
      this.#clients.set(tenantId, client);
    }
    return client;
  }

  #toError(error: unknown, spec: RequestSpec): AppError {
    if (error instanceof AppError) return error;
    const action = actionOf(spec);
    if (error instanceof GraphSdkError && error.statusCode > 0) {
      const parsed = graphErrorBodySchema.safeParse(
        error.body && typeof error.body === 'string' ? safeJson(error.body) : error.body,
      );
      const graphCode = error.code ?? (parsed.success ? parsed.data.error.code : 'unknown');
      const requestId =
        error.requestId ??
        (parsed.success ? parsed.data.error.innerError?.['request-id'] : undefined) ??
        undefined;
      const retryAfterMs = parseRetryAfter(error.headers?.get('retry-after'), this.#clock.now());
      return new GraphRequestError(errorCodeForGraph(error.statusCode, graphCode), {
        status: error.statusCode,
        graphCode,
        requestId,
        retryAfterMs,
        message: `${action}: Graph answered ${error.statusCode} ${graphCode}`,
        cause: error,
      });
    }
    return new GraphRequestError('dependency-unavailable', {
      status: 0,
      graphCode: 'network',
      message: `${action}: Graph could not be reached`,
      cause: error,
    });
  }

  /**
   * The token for a request: for a mailbox, its user's delegated token when they connected their
   * calendar, else (and for a tenant) the tenant's app token.
   */
  async #accessToken(owner: TenantOrMailbox): Promise<string> {
    const tenantId = typeof owner === 'string' ? owner : owner.tenantId;
    if (typeof owner !== 'string' && this.#options.delegation) {
      const forceRefresh = this.#refreshToken.delete(principalKey(owner));
      const delegated = await this.#options.delegation.delegatedToken(owner, { forceRefresh });
      if (delegated !== undefined) return delegated;
      if (forceRefresh) this.#refreshToken.add(tenantId);
    }
    const forceRefresh = this.#refreshToken.delete(tenantId);
    return this.#options.tokens.appToken(tenantId, { forceRefresh });
  }

  /** One request: in the mailbox's lane, retried on throttling and server trouble. */
  async #send(owner: TenantOrMailbox, laneKey: string, spec: RequestSpec): Promise<unknown> {
    const tenantId = typeof owner === 'string' ? owner : owner.tenantId;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.#concurrency.run(`${tenantId}|${laneKey}`, () => this.#attempt(owner, spec));
      } catch (error) {
        const mapped = this.#toError(error, spec);
        const status = mapped instanceof GraphRequestError ? mapped.status : 0;
        // A cached token Graph calls expired (clock skew, revocation): one more try with a fresh one.
        if (
          status === 401 &&
          attempt === 1 &&
          mapped instanceof GraphRequestError &&
          mapped.graphCode === 'InvalidAuthenticationToken'
        ) {
          this.#refreshToken.add(principalKey(owner));
          continue;
        }
        // A token that was refused (consent, revoked grant) will be refused again: no retry.
        if (!(mapped instanceof GraphRequestError) && !mapped.transient) throw mapped;
        const retryable = isRetryableStatus(status) || status === 0;
        if (!retryable || attempt >= this.#policy.maxAttempts) throw mapped;
        await this.#sleep(retryDelayMs(this.#policy, attempt, mapped.retryAfterMs, this.#options.jitter));
      }
    }
  }

  /** One attempt, in a client span named by the route template; counted by operation and status. */
  async #attempt(owner: TenantOrMailbox, spec: RequestSpec): Promise<unknown> {
    const tenantId = typeof owner === 'string' ? owner : owner.tenantId;
    // The token first, outside the SDK: a refused token is the service's typed error, not a
    // failed request (the SDK's middleware would wrap it).
    const accessToken = await this.#accessToken(owner);
    const operation = graphOperation(spec.method, spec.path);
    return inClientSpan('graph', operation, new URL(this.#origin).hostname, async (span) => {
      let request = this.#client(tenantId)
        .api(spec.path)
        .headers({ Prefer: calendarPreferences, ...(spec.headers ?? {}) })
        .middlewareOptions([new AuthenticationHandlerOptions({ getAccessToken: async () => accessToken })]);
      if (spec.query) request = request.query(spec.query);
      let result: unknown;
      try {
        switch (spec.method) {
          case 'GET':
            result = await request.get();
            break;
          case 'POST':
            result = await request.post(spec.body ?? {});
            break;
          case 'PATCH':
            result = await request.patch(spec.body ?? {});
            break;
          case 'DELETE':
            result = await request.delete();
            break;
        }
      } catch (error) {
        const status = statusOfFailure(error);
        span.setAttribute('http.response.status_code', status);
        recordGraphRequest(operation, status);
        throw error;
      }
      span.setAttribute('http.response.status_code', successStatus[spec.method]);
      recordGraphRequest(operation, successStatus[spec.method]);
      return result;
    });
  }

  async #get<T>(
    owner: TenantOrMailbox,
    laneKey: string,
    spec: RequestSpec,
    schema: z.ZodType<T>,
  ): Promise<T> {
    return this.#parse(await this.#send(owner, laneKey, spec), schema, spec);
  }

  #parse<T>(value: unknown, schema: z.ZodType<T>, spec: RequestSpec): T {
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      // A shape Graph will send again the same way: retrying cannot help, so it is permanent.
      throw new GraphRequestError('unexpected-response', {
        status: 200,
        graphCode: 'unexpected-response',
        message: `${actionOf(spec)}: Graph's answer did not match its schema: ${parsed.error.issues
          .slice(0, 3)
          .map((issue) => `${issue.path.join('.')} ${issue.message}`)
          .join('; ')}`,
      });
    }
    return parsed.data;
  }

  /** Follows `@odata.nextLink` to the end; returns the items and the final delta link, if any. */
  async #allPages<T>(
    owner: TenantOrMailbox,
    laneKey: string,
    first: RequestSpec,
    item: z.ZodType<T>,
  ): Promise<{ items: T[]; deltaLink?: string }> {
    const schema = collectionSchema(item);
    const items: T[] = [];
    let spec: RequestSpec | undefined = first;
    for (let page = 0; spec; page += 1) {
      if (page > 10_000) throw new AppError('dependency-unavailable', 'paging did not end');
      const result: z.infer<typeof schema> = await this.#get(owner, laneKey, spec, schema);
      items.push(...(result.value as T[]));
      if (result['@odata.deltaLink']) return { items, deltaLink: result['@odata.deltaLink'] };
      spec = result['@odata.nextLink']
        ? {
            method: 'GET',
            path: result['@odata.nextLink'],
            ...(first.headers ? { headers: first.headers } : {}),
          }
        : undefined;
    }
    return { items };
  }

  async getUser(tenantId: string, userId: string): Promise<GraphUser> {
    return this.#get(
      tenantId,
      `directory`,
      { method: 'GET', path: `/users/${encodeURIComponent(userId)}` },
      graphUserSchema,
    );
  }

  async listUsers(tenantId: string): Promise<GraphUser[]> {
    const spec: RequestSpec = {
      method: 'GET',
      path: '/users',
      query: { $select: 'id,displayName,userPrincipalName,mail,preferredLanguage', $top: '999' },
    };
    return (await this.#allPages(tenantId, 'directory', spec, graphUserSchema)).items;
  }

  async listUsersWithMailbox(tenantId: string): Promise<GraphUser[]> {
    // `mail ne null` is an advanced query: Graph wants ConsistencyLevel: eventual and $count=true.
    const spec: RequestSpec = {
      method: 'GET',
      path: '/users',
      query: { $filter: 'mail ne null', $count: 'true', $select: 'id,userPrincipalName,mail', $top: '999' },
      headers: { ConsistencyLevel: 'eventual' },
    };
    return (await this.#allPages(tenantId, 'directory', spec, graphUserSchema)).items;
  }

  async listGroupUsers(tenantId: string, groupId: string): Promise<GraphUser[]> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `/groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user`,
      query: { $select: 'id,userPrincipalName,mail', $top: '999' },
    };
    return (await this.#allPages(tenantId, 'directory', spec, graphUserSchema)).items;
  }

  async listDomains(tenantId: string): Promise<GraphDomain[]> {
    return (
      await this.#allPages(tenantId, 'directory', { method: 'GET', path: '/domains' }, graphDomainSchema)
    ).items;
  }

  async isGlobalAdministrator(tenantId: string, userId: string): Promise<boolean> {
    const spec: RequestSpec = {
      method: 'GET',
      path: '/roleManagement/directory/roleAssignments',
      query: { $filter: `principalId eq '${userId.replace(/'/g, "''")}'` },
    };
    const { items } = await this.#allPages(tenantId, 'directory', spec, roleAssignmentSchema);
    return items.some((assignment) => assignment.roleDefinitionId === globalAdministratorTemplateId);
  }

  async getMailboxSettings(mailbox: MailboxRef): Promise<MailboxSettings> {
    return this.#get(
      mailbox,
      mailbox.userId,
      { method: 'GET', path: `${mailboxPath(mailbox)}/mailboxSettings` },
      mailboxSettingsSchema,
    );
  }

  async getEvent(
    mailbox: MailboxRef,
    eventId: string,
    options: { extendedPropertyIds?: string[] } = {},
  ): Promise<GraphEvent> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `${mailboxPath(mailbox)}/events/${eventSegment(eventId)}`,
      query: extendedExpand(options.extendedPropertyIds),
    };
    return this.#get(mailbox, mailbox.userId, spec, graphEventSchema);
  }

  async createEvent(mailbox: MailboxRef, event: Record<string, unknown>): Promise<GraphEvent> {
    return this.#get(
      mailbox,
      mailbox.userId,
      { method: 'POST', path: `${mailboxPath(mailbox)}/events`, body: event },
      graphEventSchema,
    );
  }

  async updateEvent(
    mailbox: MailboxRef,
    eventId: string,
    changes: Record<string, unknown>,
    options: { ifMatch?: string; extendedPropertyIds?: string[] } = {},
  ): Promise<GraphEvent> {
    const spec: RequestSpec = {
      method: 'PATCH',
      path: `${mailboxPath(mailbox)}/events/${eventSegment(eventId)}`,
      query: extendedExpand(options.extendedPropertyIds),
      body: changes,
      ...(options.ifMatch ? { headers: { 'If-Match': options.ifMatch } } : {}),
    };
    return this.#get(mailbox, mailbox.userId, spec, graphEventSchema);
  }

  async deleteEvent(mailbox: MailboxRef, eventId: string): Promise<void> {
    await this.#send(mailbox, mailbox.userId, {
      method: 'DELETE',
      path: `${mailboxPath(mailbox)}/events/${eventSegment(eventId)}`,
    });
  }

  async respondToEvent(
    mailbox: MailboxRef,
    eventId: string,
    response: EventResponse,
    options: { comment?: string; sendResponse?: boolean } = {},
  ): Promise<void> {
    await this.#send(mailbox, mailbox.userId, {
      method: 'POST',
      path: `${mailboxPath(mailbox)}/events/${eventSegment(eventId)}/${response}`,
      body: {
        ...(options.comment === undefined ? {} : { comment: options.comment }),
        sendResponse: options.sendResponse ?? true,
      },
    });
  }

  async calendarView(
    mailbox: MailboxRef,
    window: TimeWindow,
    options: { extendedPropertyIds?: string[] } = {},
  ): Promise<GraphEvent[]> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `${mailboxPath(mailbox)}/calendarView`,
      query: {
        startDateTime: window.from.toISOString(),
        endDateTime: window.to.toISOString(),
        $top: '100',
        ...extendedExpand(options.extendedPropertyIds),
      },
    };
    return (await this.#allPages(mailbox, mailbox.userId, spec, graphEventSchema)).items;
  }

  async listInstances(
    mailbox: MailboxRef,
    seriesMasterId: string,
    window: TimeWindow,
  ): Promise<GraphEvent[]> {
    const spec: RequestSpec = {
      method: 'GET',
      path: `${mailboxPath(mailbox)}/events/${eventSegment(seriesMasterId)}/instances`,
      query: { startDateTime: window.from.toISOString(), endDateTime: window.to.toISOString(), $top: '100' },
    };
    return (await this.#allPages(mailbox, mailbox.userId, spec, graphEventSchema)).items;
  }

  async calendarDelta(
    mailbox: MailboxRef,
    start: { window: TimeWindow } | { deltaLink: string },
  ): Promise<DeltaResult> {
    const spec: RequestSpec =
      'deltaLink' in start
        ? {
            method: 'GET',
            path: start.deltaLink,
            headers: { Prefer: `${calendarPreferences}, odata.maxpagesize=100` },
          }
        : {
            method: 'GET',
            path: `${mailboxPath(mailbox)}/calendarView/delta`,
            query: {
              startDateTime: start.window.from.toISOString(),
              endDateTime: start.window.to.toISOString(),
            },
            headers: { Prefer: `${calendarPreferences}, odata.maxpagesize=100` },
          };
    const entry = z.union([removedEventSchema, graphEventSchema]);
    const { items, deltaLink } = await this.#allPages(mailbox, mailbox.userId, spec, entry);
    if (!deltaLink)
      throw new AppError('dependency-unavailable', 'calendar delta: Graph returned no delta link');
    const events: GraphEvent[] = [];
    const removedIds: string[] = [];
    for (const item of items) {
      if ('@removed' in item) removedIds.push(item.id);
      else events.push(item);
    }
    return { events, removedIds, deltaLink };
  }

  async getSchedule(
    mailbox: MailboxRef,
    addresses: string[],
    window: TimeWindow,
    intervalMinutes = 30,
  ): Promise<ScheduleInformation[]> {
    const spec: RequestSpec = {
      method: 'POST',
      path: `${mailboxPath(mailbox)}/calendar/getSchedule`,
      body: {
        schedules: addresses,
        startTime: { dateTime: window.from.toISOString().slice(0, 19), timeZone: 'UTC' },
        endTime: { dateTime: window.to.toISOString().slice(0, 19), timeZone: 'UTC' },
        availabilityViewInterval: intervalMinutes,
      },
    };
    return (await this.#get(mailbox, mailbox.userId, spec, collectionSchema(scheduleInformationSchema)))
      .value;
  }

  async createSubscription(
    owner: TenantOrMailbox,
    subscription: NewSubscription,
  ): Promise<GraphSubscription> {
    const spec: RequestSpec = {
      method: 'POST',
      path: '/subscriptions',
      body: { ...subscription, expirationDateTime: subscription.expirationDateTime.toISOString() },
    };
    return this.#get(owner, 'subscriptions', spec, graphSubscriptionSchema);
  }

  async renewSubscription(
    owner: TenantOrMailbox,
    subscriptionId: string,
    expirationDateTime: Date,
  ): Promise<GraphSubscription> {
    const spec: RequestSpec = {
      method: 'PATCH',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
      body: { expirationDateTime: expirationDateTime.toISOString() },
    };
    return this.#get(owner, 'subscriptions', spec, graphSubscriptionSchema);
  }

  async reauthorizeSubscription(owner: TenantOrMailbox, subscriptionId: string): Promise<void> {
    await this.#send(owner, 'subscriptions', {
      method: 'POST',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}/reauthorize`,
    });
  }

  async deleteSubscription(owner: TenantOrMailbox, subscriptionId: string): Promise<void> {
    await this.#send(owner, 'subscriptions', {
      method: 'DELETE',
      path: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
    });
  }

  async listSubscriptions(owner: TenantOrMailbox): Promise<GraphSubscription[]> {
    return (
      await this.#allPages(
        owner,
        'subscriptions',
        { method: 'GET', path: '/subscriptions' },
        graphSubscriptionSchema,
      )
    ).items;
  }

  async batch(owner: TenantOrMailbox, steps: BatchStep[]): Promise<Map<string, BatchResult>> {
    const results = new Map<string, BatchResult>();
    const byId = new Map(steps.map((step) => [step.id, step]));
    if (byId.size !== steps.length) throw new AppError('input-invalid', 'batch step ids must be unique');
    // Graph takes 20 requests a batch. A step whose dependency sat in an earlier chunk finds it done.
    const chunks: BatchStep[][] = [];
    for (let index = 0; index < steps.length; index += maxBatchSize)
      chunks.push(steps.slice(index, index + maxBatchSize));
    for (const chunk of chunks) {
      let pending = chunk;
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        const pendingIds = new Set(pending.map((step) => step.id));
        const requests = pending.map((step) => ({
          id: step.id,
          method: step.method,
          url: step.url,
          ...(step.body === undefined
            ? {}
            : { body: step.body, headers: { 'Content-Type': 'application/json', ...(step.headers ?? {}) } }),
          ...(step.body === undefined && step.headers ? { headers: step.headers } : {}),
          // A dependency that already succeeded is no longer part of this batch.
          ...(step.dependsOn?.some((id) => pendingIds.has(id))
            ? { dependsOn: step.dependsOn.filter((id) => pendingIds.has(id)) }
            : {}),
        }));
        const spec: RequestSpec = { method: 'POST', path: '/$batch', body: { requests } };
        const answer = await this.#get(owner, 'batch', spec, batchResponseSchema);
        const answers = answer.responses.map((response) => ({
          ...response,
          headers: Object.fromEntries(
            Object.entries(response.headers ?? {}).map(([key, value]) => [key.toLowerCase(), value]),
          ),
        }));
        const throttled = new Set(
          answers.filter((response) => isRetryableStatus(response.status)).map((response) => response.id),
        );
        const retry: BatchStep[] = [];
        let waitMs = 0;
        for (const response of answers) {
          const step = byId.get(response.id);
          if (!step) continue;
          // A 424 is worth another try only when the step it waited for is being tried again.
          const retryable =
            throttled.has(response.id) ||
            (response.status === 424 && (step.dependsOn ?? []).some((id) => throttled.has(id)));
          if (retryable && attempt < this.#policy.maxAttempts) {
            retry.push(step);
            const asked = parseRetryAfter(response.headers['retry-after'], this.#clock.now());
            waitMs = Math.max(waitMs, retryDelayMs(this.#policy, attempt, asked, this.#options.jitter));
          } else {
            results.set(response.id, {
              id: response.id,
              status: response.status,
              headers: response.headers,
              body: response.body ?? null,
            });
          }
        }
        pending = retry;
        if (pending.length > 0) await this.#sleep(waitMs);
      }
    }
    return results;
  }
}

/** The key of a tenant's or a mailbox's tokens. */
function principalKey(owner: TenantOrMailbox): string {
  return typeof owner === 'string' ? owner : `${owner.tenantId}|${owner.userId.toLowerCase()}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
