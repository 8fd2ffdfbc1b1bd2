import { z } from 'zod';
import type { Clock } from '../../shared/time/clock.js';
import {
  type CalendarService,
  htmlToText,
  type Mailbox,
  parseEventInput,
  type StoredEvent,
  toGraphEvent,
} from './calendars.js';
import { type DemoTenant, type DirectoryUser, globalAdministratorRoleTemplateId } from './demoTenant.js';
import {
  graphMailOf,
  mailboxAccessRefusal,
  subscriptionRefusal,
  transitiveMembers,
  usersWithMailFilter,
} from './directory.js';
import { badRequest, GraphError, notFound } from './graphErrors.js';
import type { AccessTokenClaims } from './identity.js';
import type { MailboxLimiter } from './limits.js';
import type { PageSnapshots } from './paging.js';
import type { TenantGroups } from './secondTenant.js';
import type { SubscriptionService } from './subscriptions.js';
import { epochMsToZoned, toIanaZone, zonedToEpochMs } from './timeZones.js';

export interface GraphRequest {
  method: string;
  /** Path after `/v1.0`, e.g. `/users/alice@contoso.example/events`. */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
  claims: AccessTokenClaims;
}

export interface GraphResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

interface Preferences {
  zone: string;
  bodyType: 'html' | 'text' | undefined;
  maxPageSize: number | undefined;
  applied: string[];
}

function parsePreferences(header: string | undefined): Preferences {
  const preferences: Preferences = { zone: 'UTC', bodyType: undefined, maxPageSize: undefined, applied: [] };
  for (const part of (header ?? '').split(',')) {
    const match = /^\s*([\w.-]+)\s*=\s*"?([^"]*)"?\s*$/.exec(part);
    if (!match) continue;
    const [, name, value] = match;
    if (name?.toLowerCase() === 'outlook.timezone' && value && toIanaZone(value)) {
      preferences.zone = value;
      preferences.applied.push(`outlook.timezone="${value}"`);
    } else if (
      name?.toLowerCase() === 'outlook.body-content-type' &&
      (value === 'text' || value === 'html')
    ) {
      preferences.bodyType = value;
      preferences.applied.push(`outlook.body-content-type="${value}"`);
    } else if (name?.toLowerCase() === 'odata.maxpagesize' && Number(value) > 0) {
      preferences.maxPageSize = Math.min(1_000, Number(value));
      preferences.applied.push(`odata.maxpagesize=${value}`);
    }
  }
  return preferences;
}

/** `$filter` and `$expand` on extended properties: the forms the service uses, as Graph spells them. */
function extendedPropertyIds(clause: string): string[] {
  return [...clause.matchAll(/id\s+eq\s+'((?:[^']|'')*)'/gi)].map((match) =>
    (match[1] ?? '').replace(/''/g, "'"),
  );
}

function eventFilter(filter: string | null): ((event: StoredEvent) => boolean) | undefined {
  if (!filter) return undefined;
  const anyMatch = /^singleValueExtendedProperties\/any\(\s*(\w+)\s*:\s*(.+)\)$/i.exec(filter.trim());
  if (anyMatch) {
    const condition = anyMatch[2] ?? '';
    const ids = extendedPropertyIds(condition).map((id) => id.toLowerCase());
    const valueMatch = /value\s+eq\s+'((?:[^']|'')*)'/i.exec(condition);
    const value = valueMatch ? (valueMatch[1] ?? '').replace(/''/g, "'") : undefined;
    if (ids.length === 0) throw badRequest('Invalid filter clause', 'BadRequest');
    return (event) =>
      event.extendedProperties.some(
        (property) =>
          ids.includes(property.id.toLowerCase()) && (value === undefined || property.value === value),
      );
  }
  const equals = /^(subject|isOrganizer|type)\s+eq\s+(?:'((?:[^']|'')*)'|(true|false))$/i.exec(filter.trim());
  if (equals) {
    const [, field, text, bool] = equals;
    const expected = text !== undefined ? text.replace(/''/g, "'") : bool === 'true';
    return (event) =>
      (event as unknown as Record<string, unknown>)[
        field === 'isorganizer' ? 'isOrganizer' : (field ?? '')
      ] === expected;
  }
  throw badRequest(`Invalid filter clause: the simulator does not support '${filter}'.`, 'BadRequest');
}

function expandedExtendedProperties(expand: string | null): ((id: string) => boolean) | undefined {
  if (!expand) return undefined;
  const match = /singleValueExtendedProperties(?:\(\$filter=(.+)\))?/i.exec(expand);
  if (!match)
    throw badRequest(
      `Could not find a property named '${expand}' on type 'microsoft.graph.event'.`,
      'BadRequest',
    );
  if (!match[1]) return () => true;
  const ids = extendedPropertyIds(match[1]).map((id) => id.toLowerCase());
  return (id) => ids.includes(id.toLowerCase());
}

function selectFields(entity: Record<string, unknown>, select: string | null): Record<string, unknown> {
  if (!select) return entity;
  const wanted = new Set(
    select
      .split(',')
      .map((field) => field.trim())
      .filter(Boolean),
  );
  return Object.fromEntries(
    Object.entries(entity).filter(
      ([key]) =>
        key === 'id' || key === '@odata.etag' || key === 'singleValueExtendedProperties' || wanted.has(key),
    ),
  );
}

function windowFrom(query: URLSearchParams): { fromMs: number; toMs: number } {
  const start = query.get('startDateTime') ?? query.get('startdatetime');
  const end = query.get('endDateTime') ?? query.get('enddatetime');
  if (!start || !end) {
    throw badRequest(
      'This request requires a time window specified by the query string parameters StartDateTime and EndDateTime.',
      'ErrorInvalidParameter',
    );
  }
  const parse = (value: string) =>
    /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? Date.parse(value) : zonedToEpochMs(value, 'UTC');
  const fromMs = parse(start);
  const toMs = parse(end);
  if (
    fromMs === undefined ||
    toMs === undefined ||
    Number.isNaN(fromMs) ||
    Number.isNaN(toMs) ||
    toMs < fromMs
  ) {
    throw badRequest('The value of StartDateTime or EndDateTime is invalid.', 'ErrorInvalidParameter');
  }
  return { fromMs, toMs };
}

const deltaTokenSchema = z.object({
  gen: z.number(),
  seq: z.number(),
  from: z.number(),
  to: z.number(),
  mailbox: z.string(),
});

const mailboxSettingsPatchSchema = z
  .object({
    automaticRepliesSetting: z
      .object({
        status: z.enum(['disabled', 'alwaysEnabled', 'scheduled']),
        externalAudience: z.enum(['none', 'contactsOnly', 'all']),
        internalReplyMessage: z.string(),
        externalReplyMessage: z.string(),
        scheduledStartDateTime: z.object({ dateTime: z.string(), timeZone: z.string() }),
        scheduledEndDateTime: z.object({ dateTime: z.string(), timeZone: z.string() }),
      })
      .partial()
      .strict(),
    language: z.object({ locale: z.string().min(2), displayName: z.string().optional() }),
    timeZone: z.string(),
  })
  .partial()
  .strict();

const getScheduleSchema = z.object({
  schedules: z.array(z.string()).min(1).max(100),
  startTime: z.object({ dateTime: z.string(), timeZone: z.string() }),
  endTime: z.object({ dateTime: z.string(), timeZone: z.string() }),
  availabilityViewInterval: z.number().int().min(5).max(1_440).optional(),
});

const respondSchema = z
  .object({
    comment: z.string().optional(),
    sendResponse: z.boolean().optional(),
    proposedNewTime: z.unknown().optional(),
  })
  .strict();

const batchSchema = z.object({
  requests: z.array(
    z.object({
      id: z.string().min(1),
      method: z.string().min(1),
      url: z.string().min(1),
      headers: z.record(z.string(), z.string()).optional(),
      body: z.unknown().optional(),
      dependsOn: z.array(z.string()).optional(),
    }),
  ),
});

const languageNames: Record<string, string> = {
  'en-US': 'English (United States)',
  'sv-SE': 'svenska (Sverige)',
  'tr-TR': 'Türkçe (Türkiye)',
  'de-DE': 'Deutsch (Deutschland)',
  'fr-FR': 'français (France)',
  'es-ES': 'español (España)',
  'ja-JP': '日本語 (日本)',
};

function toGraphUser(user: DirectoryUser): Record<string, unknown> {
  return {
    id: user.id,
    businessPhones: [],
    displayName: user.displayName,
    givenName: user.givenName ?? null,
    jobTitle: user.jobTitle ?? null,
    mail: graphMailOf(user),
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: user.preferredLanguage,
    surname: user.surname ?? null,
    userPrincipalName: user.userPrincipalName,
  };
}

/** The Graph v1.0 surface the service uses, over the simulator's state. */
export class GraphApi {
  readonly #tenant: DemoTenant;
  readonly #calendars: CalendarService;
  readonly #subscriptions: SubscriptionService;
  readonly #limiter: MailboxLimiter;
  readonly #pages: PageSnapshots;
  readonly #clock: Clock;
  readonly #baseUrl: string;
  readonly #otherTenants: readonly DemoTenant[];
  readonly #groups: TenantGroups;

  constructor(deps: {
    tenant: DemoTenant;
    calendars: CalendarService;
    subscriptions: SubscriptionService;
    limiter: MailboxLimiter;
    pages: PageSnapshots;
    clock: Clock;
    baseUrl: string;
    /** Tenants besides the demo tenant; a token's `tid` says which one a request reads. */
    otherTenants?: readonly DemoTenant[];
    groups?: TenantGroups;
  }) {
    this.#otherTenants = deps.otherTenants ?? [];
    this.#groups = deps.groups ?? new Map();
    this.#tenant = deps.tenant;
    this.#calendars = deps.calendars;
    this.#subscriptions = deps.subscriptions;
    this.#limiter = deps.limiter;
    this.#pages = deps.pages;
    this.#clock = deps.clock;
    this.#baseUrl = deps.baseUrl;
  }

  /** The tenant a token belongs to: Graph shows each tenant its own directory only. */
  #tenantOf(claims: AccessTokenClaims): DemoTenant {
    return this.#otherTenants.find((tenant) => tenant.tenantId === claims.tid) ?? this.#tenant;
  }

  get #graphBase(): string {
    return `${this.#baseUrl}/v1.0`;
  }

  async handle(request: GraphRequest): Promise<GraphResponse> {
    const path = request.path.replace(/\/+$/, '') || '/';
    const mailboxRoute = /^\/(?:users\/([^/]+)|(me))(\/.*)?$/i.exec(path);
    if (mailboxRoute)
      return this.#handleUserRoute(
        request,
        mailboxRoute[2] ? undefined : decodeURIComponent(mailboxRoute[1] ?? ''),
        mailboxRoute[3] ?? '',
      );
    const method = request.method.toUpperCase();
    if (/^\/users$/i.test(path) && method === 'GET') return this.#listUsers(request);
    if (/^\/domains$/i.test(path) && method === 'GET') {
      this.#requireRole(request.claims, ['Domain.Read.All']);
      return {
        status: 200,
        body: {
          '@odata.context': `${this.#graphBase}/$metadata#domains`,
          value: this.#tenantOf(request.claims).domains.map((domain) => this.#toGraphDomain(domain)),
        },
      };
    }
    if (/^\/roleManagement\/directory\/roleAssignments$/i.test(path) && method === 'GET')
      return this.#roleAssignments(request);
    const groupMembers = /^\/groups\/([^/]+)\/transitiveMembers(\/microsoft\.graph\.user)?$/i.exec(path);
    if (groupMembers && method === 'GET') return this.#transitiveMembers(request, groupMembers);
    if (/^\/\$batch$/i.test(path) && method === 'POST') return this.#batch(request);
    if (/^\/subscriptions$/i.test(path)) return this.#subscriptionsRoute(request, undefined, '');
    const subscription = /^\/subscriptions\/([^/]+)(\/reauthorize)?$/i.exec(path);
    if (subscription) return this.#subscriptionsRoute(request, subscription[1], subscription[2] ?? '');
    throw new GraphError(
      400,
      'BadRequest',
      `Resource not found for the segment '${path.split('/')[1] ?? path}'.`,
    );
  }

  #requireRole(claims: AccessTokenClaims, anyOf: string[]): void {
    if (claims.idtyp === 'user') return;
    if (!anyOf.some((role) => claims.roles?.includes(role))) {
      throw new GraphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );
    }
  }

  #resolveUser(claims: AccessTokenClaims, key: string | undefined): DirectoryUser {
    if (key === undefined) {
      if (claims.idtyp !== 'user') {
        throw badRequest('/me request is only valid with delegated authentication flow.', 'BadRequest');
      }
      key = claims.oid;
    }
    const lower = key.toLowerCase();
    const user = this.#tenantOf(claims).users.find(
      (candidate) =>
        candidate.id === lower ||
        candidate.userPrincipalName.toLowerCase() === lower ||
        candidate.mail.toLowerCase() === lower,
    );
    if (!user) {
      throw new GraphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${key}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    if (claims.idtyp === 'user' && user.id !== claims.oid) {
      throw new GraphError(403, 'ErrorAccessDenied', 'Access is denied. Check credentials and try again.');
    }
    return user;
  }

  async #handleUserRoute(
    request: GraphRequest,
    key: string | undefined,
    rest: string,
  ): Promise<GraphResponse> {
    const user = this.#resolveUser(request.claims, key);
    const method = request.method.toUpperCase();
    if (rest === '' && method === 'GET') {
      this.#requireRole(request.claims, ['User.Read.All']);
      return {
        status: 200,
        body: selectFields(
          { '@odata.context': `${this.#graphBase}/$metadata#users/$entity`, ...toGraphUser(user) },
          request.query.get('$select'),
        ),
      };
    }
    if (/^\/memberOf$/i.test(rest) && method === 'GET') {
      this.#requireRole(request.claims, ['RoleManagement.Read.Directory', 'User.Read.All']);
      return {
        status: 200,
        body: {
          '@odata.context': `${this.#graphBase}/$metadata#directoryObjects`,
          value: user.directoryRoleTemplateIds.map((templateId) => ({
            '@odata.type': '#microsoft.graph.directoryRole',
            id: `role-${templateId}`,
            deletedDateTime: null,
            description:
              'Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.',
            displayName:
              templateId === globalAdministratorRoleTemplateId ? 'Global Administrator' : 'Directory role',
            roleTemplateId: templateId,
          })),
        },
      };
    }
    const refusal = mailboxAccessRefusal(user, request.claims);
    if (refusal) throw refusal;
    const mailbox = this.#calendars.mailboxes.get(user.id);
    if (!mailbox) throw notFound();
    const operation = this.#operationName(method, rest);
    this.#requireRole(
      request.claims,
      operation.startsWith('GET mailboxSettings') || operation.startsWith('PATCH mailboxSettings')
        ? ['MailboxSettings.ReadWrite', 'MailboxSettings.Read']
        : ['Calendars.ReadWrite', 'Calendars.Read'],
    );
    if (mailbox.gone) {
      throw new GraphError(
        404,
        'MailboxNotEnabledForRESTAPI',
        'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
      );
    }
    // Faults are keyed by the principal name, which (unlike ids made at run time) is the same every run.
    this.#limiter.enter(user.id, operation, user.userPrincipalName, request.claims.idtyp === 'user');
    try {
      const latency = this.#limiter.settings.latencyMs;
      if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
      return await this.#mailboxRoute(request, mailbox, method, rest);
    } finally {
      this.#limiter.leave(user.id);
    }
  }

  #operationName(method: string, rest: string): string {
    const kind =
      /^\/(?:calendar\/)?events\/[^/]+\/(instances|accept|decline|tentativelyAccept)$/i.exec(rest)?.[1] ??
      (/^\/(?:calendar\/)?events\/[^/]+$/i.test(rest) ? 'event' : undefined) ??
      (/^\/(?:calendar\/)?events$/i.test(rest) ? 'events' : undefined) ??
      (/calendarView\/delta$/i.test(rest) ? 'calendarView/delta' : undefined) ??
      (/calendarView$/i.test(rest) ? 'calendarView' : undefined) ??
      (/getSchedule$/i.test(rest) ? 'getSchedule' : undefined) ??
      (/^\/mailboxSettings/i.test(rest) ? 'mailboxSettings' : undefined) ??
      rest;
    return `${method} ${kind}`;
  }

  #eventJson(event: StoredEvent, request: GraphRequest, preferences: Preferences): Record<string, unknown> {
    const graphEvent = toGraphEvent(event, {
      zone: preferences.zone,
      bodyType: preferences.bodyType,
      webLinkBase: `${this.#baseUrl}/owa/`,
      expandExtended: expandedExtendedProperties(request.query.get('$expand')),
    });
    return selectFields(graphEvent, request.query.get('$select'));
  }

  #withPreferences(response: GraphResponse, preferences: Preferences): GraphResponse {
    return preferences.applied.length > 0
      ? {
          ...response,
          headers: { ...(response.headers ?? {}), 'Preference-Applied': preferences.applied.join(', ') },
        }
      : response;
  }

  #paged(
    request: GraphRequest,
    items: unknown[],
    defaultPageSize: number,
    preferences: Preferences,
    context: string,
    tail: Record<string, unknown> = {},
  ): Record<string, unknown> {
    const top = Number(request.query.get('$top'));
    const pageSize = preferences.maxPageSize ?? (top > 0 ? Math.min(top, 1_000) : defaultPageSize);
    const pathOnly = `${this.#graphBase}${request.path}`;
    const nextLink = (token: string) => `${pathOnly}?$skiptoken=${token}`;
    const skipToken = request.query.get('$skiptoken');
    const page = skipToken
      ? this.#pages.next(skipToken, pageSize, nextLink)
      : this.#pages.page(items, pageSize, nextLink, tail);
    if (!page) throw badRequest('The skip token is invalid or has expired.', 'BadRequest');
    return { '@odata.context': context, ...page };
  }

  async #mailboxRoute(
    request: GraphRequest,
    mailbox: Mailbox,
    method: string,
    rest: string,
  ): Promise<GraphResponse> {
    const preferences = parsePreferences(request.headers.prefer);
    const context = `${this.#graphBase}/$metadata#users('${mailbox.user.id}')`;
    // A later page of any collection comes from the snapshot its first page took.
    if (method === 'GET' && request.query.has('$skiptoken')) {
      return this.#withPreferences(
        { status: 200, body: this.#paged(request, [], 10, preferences, context) },
        preferences,
      );
    }
    if (/^\/(?:calendar\/)?events$/i.test(rest)) {
      if (method === 'GET') {
        const filter = eventFilter(request.query.get('$filter'));
        const events = request.query.get('$skiptoken')
          ? []
          : this.#calendars
              .listEvents(mailbox)
              .filter((event) => !filter || filter(event))
              .map((event) => this.#eventJson(event, request, preferences));
        return this.#withPreferences(
          { status: 200, body: this.#paged(request, events, 10, preferences, `${context}/events`) },
          preferences,
        );
      }
      if (method === 'POST') {
        const created = this.#calendars.createEvent(mailbox, parseEventInput(request.body));
        return this.#withPreferences(
          {
            status: 201,
            body: {
              '@odata.context': `${context}/events/$entity`,
              ...this.#eventJson(created, request, preferences),
            },
          },
          preferences,
        );
      }
    }
    const eventRoute =
      /^\/(?:calendar\/)?events\/([^/]+)(?:\/(instances|accept|decline|tentativelyAccept))?$/i.exec(rest);
    if (eventRoute) {
      const id = decodeURIComponent(eventRoute[1] ?? '');
      const action = eventRoute[2]?.toLowerCase();
      if (!action && method === 'GET') {
        return this.#withPreferences(
          {
            status: 200,
            body: {
              '@odata.context': `${context}/events/$entity`,
              ...this.#eventJson(this.#calendars.getEvent(mailbox, id), request, preferences),
            },
          },
          preferences,
        );
      }
      if (!action && (method === 'PATCH' || method === 'DELETE')) this.#checkIfMatch(request, mailbox, id);
      if (!action && method === 'PATCH') {
        const updated = this.#calendars.updateEvent(mailbox, id, parseEventInput(request.body));
        return this.#withPreferences(
          {
            status: 200,
            body: {
              '@odata.context': `${context}/events/$entity`,
              ...this.#eventJson(updated, request, preferences),
            },
          },
          preferences,
        );
      }
      if (!action && method === 'DELETE') {
        this.#calendars.deleteEvent(mailbox, id);
        return { status: 204 };
      }
      if (action === 'instances' && method === 'GET') {
        const master = this.#calendars.getEvent(mailbox, id);
        if (master.type !== 'seriesMaster')
          throw badRequest('The event is not a recurring series master.', 'ErrorInvalidRequest');
        const { fromMs, toMs } = windowFrom(request.query);
        const items = this.#calendars
          .instances(mailbox, master, fromMs, toMs)
          .map((event) => this.#eventJson(event, request, preferences));
        return this.#withPreferences(
          {
            status: 200,
            body: this.#paged(request, items, 10, preferences, `${context}/events('${id}')/instances`),
          },
          preferences,
        );
      }
      if (action && action !== 'instances' && method === 'POST') {
        const parsed = respondSchema.safeParse(request.body ?? {});
        if (!parsed.success)
          throw badRequest(
            `Invalid response body: ${parsed.error.issues[0]?.message ?? ''}`,
            'RequestBodyRead',
          );
        const response =
          action === 'accept' ? 'accepted' : action === 'decline' ? 'declined' : 'tentativelyAccepted';
        this.#calendars.respond(mailbox, id, response);
        return { status: 202 };
      }
    }
    if (/^\/(?:calendar\/)?calendarView$/i.test(rest) && method === 'GET') {
      const items = request.query.get('$skiptoken')
        ? []
        : (() => {
            const { fromMs, toMs } = windowFrom(request.query);
            return this.#calendars
              .calendarView(mailbox, fromMs, toMs)
              .map((event) => this.#eventJson(event, request, preferences));
          })();
      return this.#withPreferences(
        { status: 200, body: this.#paged(request, items, 10, preferences, `${context}/calendarView`) },
        preferences,
      );
    }
    if (/^\/(?:calendar\/)?calendarView\/delta$/i.test(rest) && method === 'GET')
      return this.#delta(request, mailbox, preferences, context);
    if (/^\/calendar\/getSchedule$/i.test(rest) && method === 'POST')
      return this.#getSchedule(request, preferences);
    if (/^\/mailboxSettings$/i.test(rest) && method === 'GET')
      return { status: 200, body: this.#mailboxSettings(mailbox) };
    if (/^\/mailboxSettings\/automaticRepliesSetting$/i.test(rest) && method === 'GET') {
      return this.#withPreferences(
        {
          status: 200,
          body: {
            '@odata.context': `${context}/mailboxSettings/automaticRepliesSetting`,
            ...automaticRepliesIn(mailbox.automaticReplies, preferences),
          },
        },
        preferences,
      );
    }
    if (/^\/mailboxSettings$/i.test(rest) && method === 'PATCH') {
      const parsed = mailboxSettingsPatchSchema.safeParse(request.body);
      if (!parsed.success)
        throw badRequest(
          `Invalid mailbox settings: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`,
          'RequestBodyRead',
        );
      if (parsed.data.automaticRepliesSetting)
        mailbox.automaticReplies = { ...mailbox.automaticReplies, ...parsed.data.automaticRepliesSetting };
      if (parsed.data.language) mailbox.language = parsed.data.language.locale;
      if (parsed.data.timeZone) {
        if (!toIanaZone(parsed.data.timeZone))
          throw badRequest(
            `The time zone '${parsed.data.timeZone}' is not supported.`,
            'ErrorInvalidTimeZone',
          );
        mailbox.timeZone = parsed.data.timeZone;
      }
      return { status: 200, body: this.#mailboxSettings(mailbox) };
    }
    throw new GraphError(400, 'BadRequest', `Unsupported request: ${method} ${rest}`);
  }

  /** If-Match on an event: the write happens only while the event still has that etag. */
  #checkIfMatch(request: GraphRequest, mailbox: Mailbox, id: string): void {
    const ifMatch = request.headers['if-match'];
    if (!ifMatch || ifMatch === '*') return;
    const current = `W/"${this.#calendars.getEvent(mailbox, id).changeKey}"`;
    if (ifMatch !== current) {
      throw new GraphError(
        412,
        'ErrorIrresolvableConflict',
        'The change key passed in the request does not match the current change key for the item.',
      );
    }
  }

  #delta(request: GraphRequest, mailbox: Mailbox, preferences: Preferences, context: string): GraphResponse {
    const skipToken = request.query.get('$skiptoken');
    if (skipToken) {
      return this.#withPreferences(
        { status: 200, body: this.#paged(request, [], 10, preferences, `${context}/calendarView/delta`) },
        preferences,
      );
    }
    const deltaToken = request.query.get('$deltatoken');
    let fromMs: number;
    let toMs: number;
    let items: unknown[];
    if (deltaToken) {
      let state: z.infer<typeof deltaTokenSchema>;
      try {
        state = deltaTokenSchema.parse(JSON.parse(Buffer.from(deltaToken, 'base64url').toString()));
      } catch {
        throw badRequest('The delta token is malformed.', 'BadRequest');
      }
      if (state.mailbox !== mailbox.user.id || state.gen !== mailbox.deltaGeneration) {
        throw new GraphError(
          410,
          'SyncStateNotFound',
          'The sync state generation is not found. Start a full synchronization.',
        );
      }
      fromMs = state.from;
      toMs = state.to;
      const { changed, removed } = this.#calendars.changesSince(mailbox, state.seq, fromMs, toMs);
      items = [
        ...changed.map((event) => this.#eventJson(event, request, preferences)),
        ...removed.map((id) => ({
          '@odata.type': '#microsoft.graph.event',
          id,
          '@removed': { reason: 'deleted' },
        })),
      ];
    } else {
      ({ fromMs, toMs } = windowFrom(request.query));
      items = this.#calendars
        .calendarView(mailbox, fromMs, toMs)
        .map((event) => this.#eventJson(event, request, preferences));
    }
    const token = Buffer.from(
      JSON.stringify({
        gen: mailbox.deltaGeneration,
        seq: mailbox.changeSeq,
        from: fromMs,
        to: toMs,
        mailbox: mailbox.user.id,
      }),
    ).toString('base64url');
    const deltaLink = `${this.#graphBase}${request.path}?$deltatoken=${token}`;
    return this.#withPreferences(
      {
        status: 200,
        body: this.#paged(request, items, 10, preferences, `${context}/calendarView/delta`, {
          '@odata.deltaLink': deltaLink,
        }),
      },
      preferences,
    );
  }

  #mailboxSettings(mailbox: Mailbox): Record<string, unknown> {
    return {
      '@odata.context': `${this.#graphBase}/$metadata#users('${mailbox.user.id}')/mailboxSettings`,
      archiveFolder: `AAMkAD${mailbox.user.id.replace(/-/g, '')}AAA=`,
      timeZone: mailbox.timeZone,
      delegateMeetingMessageDeliveryOptions: 'sendToDelegateOnly',
      dateFormat: 'yyyy-MM-dd',
      timeFormat: 'HH:mm',
      userPurpose: mailbox.user.isRoom ? 'room' : 'user',
      automaticRepliesSetting: structuredClone(mailbox.automaticReplies),
      language: {
        locale: mailbox.language,
        displayName: languageNames[mailbox.language] ?? mailbox.language,
      },
      workingHours: {
        daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
        startTime: '08:00:00.0000000',
        endTime: '17:00:00.0000000',
        timeZone: { name: mailbox.timeZone },
      },
    };
  }

  #getSchedule(request: GraphRequest, preferences: Preferences): GraphResponse {
    const parsed = getScheduleSchema.safeParse(request.body);
    if (!parsed.success)
      throw badRequest(
        `Invalid getSchedule request: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`,
        'ErrorInvalidRequest',
      );
    const { schedules, startTime, endTime } = parsed.data;
    const interval = parsed.data.availabilityViewInterval ?? 30;
    const fromMs = zonedToEpochMs(startTime.dateTime, startTime.timeZone);
    const toMs = zonedToEpochMs(endTime.dateTime, endTime.timeZone);
    if (fromMs === undefined || toMs === undefined || toMs <= fromMs)
      throw badRequest('startTime and endTime are invalid.', 'ErrorInvalidRequest');
    const statusDigit: Record<string, string> = {
      free: '0',
      tentative: '1',
      busy: '2',
      oof: '3',
      workingElsewhere: '4',
      unknown: '0',
    };
    const value = schedules.map((address) => {
      const mailbox = this.#calendars.mailboxByAddress(address);
      if (!mailbox || mailbox.gone) {
        return {
          scheduleId: address,
          availabilityView: '',
          scheduleItems: [],
          error: {
            message: 'The specified emailAddress is not found.',
            responseCode: 'ErrorMailRecipientNotFound',
          },
        };
      }
      const events = this.#calendars
        .calendarView(mailbox, fromMs, toMs)
        .filter((event) => !event.isCancelled && event.showAs !== 'free');
      let view = '';
      for (let slot = fromMs; slot < toMs; slot += interval * 60_000) {
        const slotEnd = slot + interval * 60_000;
        const overlapping = events.filter((event) => event.startMs < slotEnd && event.endMs > slot);
        view += overlapping
          .reduce((max, event) => Math.max(max, Number(statusDigit[event.showAs] ?? '0')), 0)
          .toString();
      }
      return {
        scheduleId: address,
        availabilityView: view,
        scheduleItems: events.map((event) => ({
          isPrivate: event.sensitivity === 'private',
          status: event.showAs,
          subject: event.sensitivity === 'private' ? '' : event.subject,
          location: event.location.displayName,
          start: { dateTime: epochMsToZoned(event.startMs, preferences.zone), timeZone: preferences.zone },
          end: { dateTime: epochMsToZoned(event.endMs, preferences.zone), timeZone: preferences.zone },
        })),
        workingHours: {
          daysOfWeek: ['monday', 'tuesday', 'wednesday', 'thursday', 'friday'],
          startTime: '08:00:00.0000000',
          endTime: '17:00:00.0000000',
          timeZone: { name: mailbox.timeZone },
        },
      };
    });
    return this.#withPreferences(
      {
        status: 200,
        body: {
          '@odata.context': `${this.#graphBase}/$metadata#Collection(microsoft.graph.scheduleInformation)`,
          value,
        },
      },
      preferences,
    );
  }

  #listUsers(request: GraphRequest): GraphResponse {
    this.#requireRole(request.claims, ['User.Read.All']);
    const filter = request.query.get('$filter');
    let users = this.#tenantOf(request.claims).users;
    const withMail = filter ? usersWithMailFilter(filter, request.query, request.headers) : undefined;
    if (withMail) users = users.filter(withMail);
    else if (filter) {
      const match = /^(mail|userPrincipalName|id)\s+eq\s+'((?:[^']|'')*)'$/i.exec(filter.trim());
      if (!match) throw badRequest(`Unsupported filter '${filter}'.`, 'Request_UnsupportedQuery');
      const field =
        (match[1] ?? '').toLowerCase() === 'userprincipalname'
          ? 'userPrincipalName'
          : (match[1] ?? '').toLowerCase();
      const value = (match[2] ?? '').replace(/''/g, "'").toLowerCase();
      users = users.filter(
        (user) => String((user as unknown as Record<string, unknown>)[field]).toLowerCase() === value,
      );
    }
    const preferences = parsePreferences(request.headers.prefer);
    const items = request.query.get('$skiptoken')
      ? []
      : users.map((user) => selectFields(toGraphUser(user), request.query.get('$select')));
    return {
      status: 200,
      body: this.#paged(
        request,
        items,
        100,
        preferences,
        `${this.#graphBase}/$metadata#users`,
        withMail ? { '@odata.count': items.length } : {},
      ),
    };
  }

  #transitiveMembers(request: GraphRequest, match: RegExpExecArray): GraphResponse {
    this.#requireRole(request.claims, ['GroupMember.Read.All', 'Group.Read.All', 'Directory.Read.All']);
    const tenant = this.#tenantOf(request.claims);
    const members = transitiveMembers(
      tenant,
      this.#groups.get(tenant.tenantId) ?? [],
      decodeURIComponent(match[1] ?? ''),
      match[2] !== undefined,
    ).map((member) => selectFields(member, request.query.get('$select')));
    const preferences = parsePreferences(request.headers.prefer);
    return {
      status: 200,
      body: this.#paged(request, members, 100, preferences, `${this.#graphBase}/$metadata#directoryObjects`),
    };
  }

  #toGraphDomain(domain: DemoTenant['domains'][number]): Record<string, unknown> {
    return {
      id: domain.id,
      authenticationType: 'Managed',
      availabilityStatus: null,
      isAdminManaged: true,
      isDefault: domain.isDefault,
      isInitial: domain.isInitial,
      isRoot: true,
      isVerified: domain.isVerified,
      manufacturer: null,
      model: null,
      passwordNotificationWindowInDays: 14,
      passwordValidityPeriodInDays: 2_147_483_647,
      state: null,
      supportedServices: ['Email', 'OfficeCommunicationsOnline'],
    };
  }

  #roleAssignments(request: GraphRequest): GraphResponse {
    this.#requireRole(request.claims, ['RoleManagement.Read.Directory']);
    const filter = request.query.get('$filter') ?? '';
    const principal = /principalId\s+eq\s+'([^']+)'/i.exec(filter)?.[1];
    const tenant = this.#tenantOf(request.claims);
    const users = principal ? tenant.users.filter((user) => user.id === principal) : tenant.users;
    const value = users.flatMap((user) =>
      user.directoryRoleTemplateIds.map((templateId) => ({
        id: `${templateId}-${user.id}`,
        principalId: user.id,
        roleDefinitionId: templateId,
        directoryScopeId: '/',
        appScopeId: null,
        condition: null,
        principalOrganizationId: tenant.tenantId,
      })),
    );
    return {
      status: 200,
      body: {
        '@odata.context': `${this.#graphBase}/$metadata#roleManagement/directory/roleAssignments`,
        value,
      },
    };
  }

  async #subscriptionsRoute(
    request: GraphRequest,
    id: string | undefined,
    action: string,
  ): Promise<GraphResponse> {
    const method = request.method.toUpperCase();
    const context = `${this.#graphBase}/$metadata#subscriptions`;
    if (!id && method === 'POST') {
      const refusal = subscriptionRefusal(this.#tenantOf(request.claims), request.body, request.claims);
      if (refusal) throw refusal;
      const created = await this.#subscriptions.create(request.body, {
        appId: request.claims.appid,
        oid: request.claims.oid,
        tenantId: request.claims.tid,
        userId: request.claims.idtyp === 'user' ? request.claims.oid : undefined,
      });
      return {
        status: 201,
        body: { '@odata.context': `${context}/$entity`, ...this.#subscriptions.toGraph(created) },
      };
    }
    if (!id && method === 'GET') {
      return {
        status: 200,
        body: {
          '@odata.context': context,
          value: this.#subscriptions.list(request.claims.appid).map((s) => this.#subscriptions.toGraph(s)),
        },
      };
    }
    if (id && action && method === 'POST') {
      this.#subscriptions.reauthorize(id);
      return { status: 204 };
    }
    if (id && method === 'GET')
      return {
        status: 200,
        body: {
          '@odata.context': `${context}/$entity`,
          ...this.#subscriptions.toGraph(this.#subscriptions.get(id)),
        },
      };
    if (id && method === 'PATCH')
      return {
        status: 200,
        body: {
          '@odata.context': `${context}/$entity`,
          ...this.#subscriptions.toGraph(this.#subscriptions.renew(id, request.body)),
        },
      };
    if (id && method === 'DELETE') {
      this.#subscriptions.delete(id);
      return { status: 204 };
    }
    throw badRequest(`Unsupported request: ${method} /subscriptions`);
  }

  /** JSON batching: at most 20 requests, each answered on its own, `dependsOn` honoured. */
  async #batch(request: GraphRequest): Promise<GraphResponse> {
    const parsed = batchSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest('Invalid batch payload format.', 'BadRequest');
    const { requests } = parsed.data;
    if (requests.length > 20)
      throw badRequest('Number of batch request steps exceeds the maximum of 20.', 'BadRequest');
    const ids = new Set(requests.map((entry) => entry.id));
    if (ids.size !== requests.length) throw badRequest('Batch request ids must be unique.', 'BadRequest');
    const results = new Map<string, Promise<GraphResponse>>();
    const run = async (entry: (typeof requests)[number]): Promise<GraphResponse> => {
      for (const dependency of entry.dependsOn ?? []) {
        const outcome = results.get(dependency);
        if (!outcome)
          throw badRequest(`dependsOn names an unknown or later request '${dependency}'.`, 'BadRequest');
        const settled = await outcome;
        if (settled.status >= 400) {
          return {
            status: 424,
            body: { error: { code: 'FailedDependency', message: `Request '${dependency}' failed.` } },
          };
        }
      }
      const url = new URL(entry.url.startsWith('/') ? entry.url : `/${entry.url}`, 'https://batch.invalid');
      const headers = Object.fromEntries(
        Object.entries({ ...request.headers, ...(entry.headers ?? {}) }).map(([k, v]) => [
          k.toLowerCase(),
          v,
        ]),
      );
      try {
        return await this.handle({
          method: entry.method,
          path: url.pathname,
          query: url.searchParams,
          headers,
          body: entry.body,
          claims: request.claims,
        });
      } catch (error) {
        if (error instanceof GraphError) {
          return {
            status: error.status,
            headers: error.headers,
            body: { error: { code: error.code, message: error.message } },
          };
        }
        throw error;
      }
    };
    for (const entry of requests) results.set(entry.id, run(entry));
    const responses = await Promise.all(
      requests.map(async (entry) => {
        const outcome = await (results.get(entry.id) as Promise<GraphResponse>);
        return {
          id: entry.id,
          status: outcome.status,
          headers: { 'Content-Type': 'application/json', ...(outcome.headers ?? {}) },
          body: outcome.body ?? null,
        };
      }),
    );
    return { status: 200, body: { responses } };
  }

  /** Text of an event body, for the control API's inspection of what was written. */
  static bodyText(event: StoredEvent): string {
    return event.body.contentType === 'html' ? htmlToText(event.body.content) : event.body.content;
  }
}

/**
 * The automatic replies as they are read: stored in the zone they were written in, their scheduled
 * times converted to the zone a `Prefer: outlook.timezone` asks for (stored as they are otherwise).
 */
function automaticRepliesIn(
  setting: Mailbox['automaticReplies'],
  preferences: Preferences,
): Mailbox['automaticReplies'] {
  const copy = structuredClone(setting);
  if (!preferences.applied.some((applied) => applied.startsWith('outlook.timezone'))) return copy;
  for (const key of ['scheduledStartDateTime', 'scheduledEndDateTime'] as const) {
    const instant = zonedToEpochMs(copy[key].dateTime, copy[key].timeZone);
    if (instant !== undefined)
      copy[key] = { dateTime: epochMsToZoned(instant, preferences.zone), timeZone: preferences.zone };
  }
  return copy;
}
