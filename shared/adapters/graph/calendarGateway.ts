import type { MailboxRef, TenantOrMailbox, TimeWindow } from '../../calendar/mailbox.js';
import type {
  GraphDomain,
  GraphEvent,
  GraphSubscription,
  GraphUser,
  MailboxSettings,
  ScheduleInformation,
} from './graphModels.js';

export interface NewSubscription {
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  expirationDateTime: Date;
  clientState: string;
}

/** One request of a JSON batch; `url` is relative to the Graph version root, e.g. `/subscriptions/{id}`. */
export interface BatchStep {
  id: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  dependsOn?: string[];
}

export interface BatchResult {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

export type EventResponse = 'accept' | 'decline' | 'tentativelyAccept';

export interface DeltaResult {
  events: GraphEvent[];
  removedIds: string[];
  /** Where the next round starts: store it with the user. */
  deltaLink: string;
}

/**
 * Microsoft Graph as the service uses it. Responses are parsed; failures are `GraphRequestError`s
 * (`not-found`, `throttled` after retries ran out, `unauthorized`, `mailbox-gone`,
 * `sync-state-expired`, `precondition-failed`, `dependency-unavailable`, `request-rejected`,
 * `unexpected-response` for an answer that fails its schema, `input-invalid` for an id Graph never issues).
 * Times are exchanged in UTC.
 */
export interface CalendarGateway {
  getUser(tenantId: string, userId: string): Promise<GraphUser>;
  listUsers(tenantId: string): Promise<GraphUser[]>;
  listDomains(tenantId: string): Promise<GraphDomain[]>;
  /** Users with a mailbox (`mail ne null`, an advanced query), all pages. */
  listUsersWithMailbox(tenantId: string): Promise<GraphUser[]>;
  /** A group's users, nested groups followed (`transitiveMembers/microsoft.graph.user`), all pages. */
  listGroupUsers(tenantId: string, groupId: string): Promise<GraphUser[]>;
  /** Whether the user holds the Global Administrator directory role. */
  isGlobalAdministrator(tenantId: string, userId: string): Promise<boolean>;
  getMailboxSettings(mailbox: MailboxRef): Promise<MailboxSettings>;
  getEvent(
    mailbox: MailboxRef,
    eventId: string,
    options?: { extendedPropertyIds?: string[] },
  ): Promise<GraphEvent>;
  createEvent(mailbox: MailboxRef, event: Record<string, unknown>): Promise<GraphEvent>;
  /** With `ifMatch`, only if the event still has that etag (else `precondition-failed`). */
  updateEvent(
    mailbox: MailboxRef,
    eventId: string,
    changes: Record<string, unknown>,
    options?: { ifMatch?: string; extendedPropertyIds?: string[] },
  ): Promise<GraphEvent>;
  deleteEvent(mailbox: MailboxRef, eventId: string): Promise<void>;
  respondToEvent(
    mailbox: MailboxRef,
    eventId: string,
    response: EventResponse,
    options?: { comment?: string; sendResponse?: boolean },
  ): Promise<void>;
  /** Every event and occurrence overlapping the window, all pages. */
  calendarView(
    mailbox: MailboxRef,
    window: TimeWindow,
    options?: { extendedPropertyIds?: string[] },
  ): Promise<GraphEvent[]>;
  /** Occurrences and exceptions of a series within the window, all pages. */
  listInstances(mailbox: MailboxRef, seriesMasterId: string, window: TimeWindow): Promise<GraphEvent[]>;
  /** A delta round over the window: from scratch, or from the last round's delta link. */
  calendarDelta(
    mailbox: MailboxRef,
    start: { window: TimeWindow } | { deltaLink: string },
  ): Promise<DeltaResult>;
  getSchedule(
    mailbox: MailboxRef,
    addresses: string[],
    window: TimeWindow,
    intervalMinutes?: number,
  ): Promise<ScheduleInformation[]>;
  /** Subscription calls take the mailbox where one is concerned, so a connected user's token is used. */
  createSubscription(owner: TenantOrMailbox, subscription: NewSubscription): Promise<GraphSubscription>;
  renewSubscription(
    owner: TenantOrMailbox,
    subscriptionId: string,
    expirationDateTime: Date,
  ): Promise<GraphSubscription>;
  reauthorizeSubscription(owner: TenantOrMailbox, subscriptionId: string): Promise<void>;
  deleteSubscription(owner: TenantOrMailbox, subscriptionId: string): Promise<void>;
  listSubscriptions(owner: TenantOrMailbox): Promise<GraphSubscription[]>;
  /**
   * Runs steps as JSON batches of at most 20, retrying the steps Graph throttled (each honouring its
   * Retry-After). Returns every step's final answer; failures of single steps are answers, not throws.
   */
  batch(owner: TenantOrMailbox, steps: BatchStep[]): Promise<Map<string, BatchResult>>;
}
