import { CalendarServiceError } from '../../../shared/calendar/calendarServiceError.js';
import type { MailboxRef, TenantOrMailbox, TimeWindow } from '../../../shared/calendar/mailbox.js';
import type {
  CalendarChanges,
  CalendarSubscription,
  MailboxAvailability,
  MailboxWatch,
  SubscriptionRenewal,
  SubscriptionRequest,
} from '../../../shared/calendar/mailboxWatch.js';
import type { ErrorCode } from '../../../shared/errors.js';

export interface FakeSubscription {
  id: string;
  tenantId: string;
  userId: string;
  notificationUrl: string;
  lifecycleNotificationUrl: string;
  expiresAt: Date;
  clientState: string;
}

interface FakeMailbox {
  /** Event id to its change key, for the events the calendar holds now. */
  events: Map<string, string | undefined>;
  /** Every change in order; a delta link is a position in it. */
  log: Array<{ position: number; eventId: string }>;
  /** Delta links before this position no longer work. */
  validFrom: number;
  language: string | undefined;
  gone: boolean;
}

type Operation = keyof MailboxWatch;

/** The tenant of a call, recorded as such: a connected user's mailbox counts as its tenant here. */
function tenantOf(owner: TenantOrMailbox): string {
  return typeof owner === 'string' ? owner : owner.tenantId;
}

/** A failure of the calendar service, as the adapter reports one. */
export function calendarServiceError(
  code: ErrorCode,
  status: number,
  serviceCode = 'fake',
): CalendarServiceError {
  return new CalendarServiceError(code, { status, serviceCode, message: `fake: ${status} ${serviceCode}` });
}

const mailboxGone = () => calendarServiceError('mailbox-gone', 404, 'MailboxNotEnabledForRESTAPI');
const subscriptionNotFound = () => calendarServiceError('not-found', 404, 'ResourceNotFound');

/**
 * The watch port in memory: a calendar service that holds subscriptions, mailboxes and their
 * events. It answers as the port promises (409 for a second subscription of a mailbox and URL, 404
 * for unknown subscriptions, 410 for expired delta links, gone mailboxes), records every call, and
 * fails a call on request (`failNext`).
 */
export class FakeMailboxWatch implements MailboxWatch {
  readonly subscriptionsById = new Map<string, FakeSubscription>();
  readonly calls: Array<{ operation: Operation; args: unknown[] }> = [];
  readonly #mailboxes = new Map<string, FakeMailbox>();
  readonly #failures: Array<{ operation: Operation; error: unknown }> = [];
  /** Subscriptions whose renewal in `renewAll` fails (neither renewed nor gone). */
  readonly failingRenewals = new Set<string>();
  /** Users whose availability check fails (`unknown`). */
  readonly unanswerableMailboxes = new Set<string>();
  #nextId = 1;
  #position = 0;

  /** The next call of `operation` throws `error` instead of answering. */
  failNext(operation: Operation, error: unknown): void {
    this.#failures.push({ operation, error });
  }

  /** A subscription the service holds, as if created earlier. */
  addSubscription(
    subscription: Partial<FakeSubscription> & { tenantId: string; userId: string },
  ): FakeSubscription {
    const stored: FakeSubscription = {
      id: `subscription-${this.#nextId++}`,
      notificationUrl: 'https://watch.example/api/notifications',
      lifecycleNotificationUrl: 'https://watch.example/api/lifecycle',
      expiresAt: new Date('2030-01-01T00:00:00Z'),
      clientState: 'client-state',
      ...subscription,
    };
    this.subscriptionsById.set(stored.id, stored);
    return stored;
  }

  putEvent(mailbox: MailboxRef, eventId: string, changeKey?: string): void {
    const state = this.#mailbox(mailbox);
    state.events.set(eventId, changeKey);
    state.log.push({ position: ++this.#position, eventId });
  }

  removeEvent(mailbox: MailboxRef, eventId: string): void {
    const state = this.#mailbox(mailbox);
    state.events.delete(eventId);
    state.log.push({ position: ++this.#position, eventId });
  }

  /** Every delta link handed out for the mailbox so far stops working (410). */
  expireDeltaLinks(mailbox: MailboxRef): void {
    this.#mailbox(mailbox).validFrom = ++this.#position;
  }

  setLanguage(mailbox: MailboxRef, language: string | undefined): void {
    this.#mailbox(mailbox).language = language;
  }

  /** The mailbox leaves the service: every call on it answers `mailbox-gone`. */
  markGone(mailbox: MailboxRef): void {
    this.#mailbox(mailbox).gone = true;
  }

  callsOf(operation: Operation): unknown[][] {
    return this.calls.filter((call) => call.operation === operation).map((call) => call.args);
  }

  async subscribe(request: SubscriptionRequest): Promise<CalendarSubscription> {
    this.#enter('subscribe', request);
    if (this.#mailbox(request.mailbox).gone) throw mailboxGone();
    const duplicate = [...this.subscriptionsById.values()].find(
      (existing) =>
        sameId(existing.tenantId, request.mailbox.tenantId) &&
        sameId(existing.userId, request.mailbox.userId) &&
        existing.notificationUrl === request.notificationUrl,
    );
    if (duplicate) throw calendarServiceError('already-exists', 409, 'ExtensionError');
    const created = this.addSubscription({
      tenantId: request.mailbox.tenantId,
      userId: request.mailbox.userId,
      notificationUrl: request.notificationUrl,
      lifecycleNotificationUrl: request.lifecycleNotificationUrl,
      expiresAt: request.expiresAt,
      clientState: request.clientState,
    });
    return toCalendarSubscription(created);
  }

  async renew(
    owner: TenantOrMailbox,
    subscriptionId: string,
    expiresAt: Date,
  ): Promise<CalendarSubscription> {
    const tenantId = tenantOf(owner);
    this.#enter('renew', tenantId, subscriptionId, expiresAt);
    const subscription = this.#subscription(tenantId, subscriptionId);
    if (!subscription) throw subscriptionNotFound();
    subscription.expiresAt = expiresAt;
    return toCalendarSubscription(subscription);
  }

  async renewAll(
    owner: TenantOrMailbox,
    subscriptionIds: readonly string[],
    expiresAt: Date,
  ): Promise<Map<string, SubscriptionRenewal>> {
    const tenantId = tenantOf(owner);
    this.#enter('renewAll', tenantId, [...subscriptionIds], expiresAt);
    const outcomes = new Map<string, SubscriptionRenewal>();
    for (const id of subscriptionIds) {
      const subscription = this.#subscription(tenantId, id);
      if (this.failingRenewals.has(id)) outcomes.set(id, { outcome: 'failed' });
      else if (!subscription) outcomes.set(id, { outcome: 'gone' });
      else {
        subscription.expiresAt = expiresAt;
        outcomes.set(id, { outcome: 'renewed', expiresAt });
      }
    }
    return outcomes;
  }

  async reauthorize(owner: TenantOrMailbox, subscriptionId: string): Promise<void> {
    const tenantId = tenantOf(owner);
    this.#enter('reauthorize', tenantId, subscriptionId);
    if (!this.#subscription(tenantId, subscriptionId)) throw subscriptionNotFound();
  }

  async unsubscribe(owner: TenantOrMailbox, subscriptionId: string): Promise<void> {
    const tenantId = tenantOf(owner);
    this.#enter('unsubscribe', tenantId, subscriptionId);
    if (this.#subscription(tenantId, subscriptionId)) this.subscriptionsById.delete(subscriptionId);
  }

  async subscriptions(owner: TenantOrMailbox): Promise<CalendarSubscription[]> {
    const tenantId = tenantOf(owner);
    this.#enter('subscriptions', tenantId);
    return [...this.subscriptionsById.values()]
      .filter((subscription) => sameId(subscription.tenantId, tenantId))
      .map(toCalendarSubscription);
  }

  async mailboxAvailability(
    owner: TenantOrMailbox,
    userIds: readonly string[],
  ): Promise<Map<string, MailboxAvailability>> {
    const tenantId = tenantOf(owner);
    this.#enter('mailboxAvailability', tenantId, [...userIds]);
    return new Map(
      userIds.map((userId): [string, MailboxAvailability] => [
        userId,
        this.unanswerableMailboxes.has(userId)
          ? 'unknown'
          : this.#mailbox({ tenantId, userId }).gone
            ? 'gone'
            : 'available',
      ]),
    );
  }

  async mailboxLanguage(mailbox: MailboxRef): Promise<string | undefined> {
    this.#enter('mailboxLanguage', mailbox);
    const state = this.#mailbox(mailbox);
    if (state.gone) throw mailboxGone();
    return state.language;
  }

  /** Every event the fake holds counts as inside any window. */
  async calendarChanges(
    mailbox: MailboxRef,
    since: { window: TimeWindow } | { deltaLink: string },
  ): Promise<CalendarChanges> {
    this.#enter('calendarChanges', mailbox, since);
    const state = this.#mailbox(mailbox);
    if (state.gone) throw mailboxGone();
    const deltaLink = `fake-delta:${this.#position}`;
    if ('window' in since) {
      return {
        changed: [...state.events].map(([eventId, changeKey]) => ({ eventId, changeKey })),
        removedEventIds: [],
        deltaLink,
      };
    }
    const from = Number(/^fake-delta:(\d+)$/.exec(since.deltaLink)?.[1] ?? Number.NaN);
    if (!(from >= state.validFrom))
      throw calendarServiceError('sync-state-expired', 410, 'SyncStateNotFound');
    const touched = new Set(state.log.filter((entry) => entry.position > from).map((entry) => entry.eventId));
    return {
      changed: [...touched]
        .filter((eventId) => state.events.has(eventId))
        .map((eventId) => ({ eventId, changeKey: state.events.get(eventId) })),
      removedEventIds: [...touched].filter((eventId) => !state.events.has(eventId)),
      deltaLink,
    };
  }

  #enter(operation: Operation, ...args: unknown[]): void {
    this.calls.push({ operation, args });
    const index = this.#failures.findIndex((failure) => failure.operation === operation);
    if (index < 0) return;
    const [failure] = this.#failures.splice(index, 1);
    throw failure?.error;
  }

  #subscription(tenantId: string, subscriptionId: string): FakeSubscription | undefined {
    const subscription = this.subscriptionsById.get(subscriptionId);
    return subscription && sameId(subscription.tenantId, tenantId) ? subscription : undefined;
  }

  #mailbox(mailbox: MailboxRef): FakeMailbox {
    const key = `${mailbox.tenantId.toLowerCase()}|${mailbox.userId.toLowerCase()}`;
    let state = this.#mailboxes.get(key);
    if (!state) {
      state = { events: new Map(), log: [], validFrom: 0, language: undefined, gone: false };
      this.#mailboxes.set(key, state);
    }
    return state;
  }
}

function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function toCalendarSubscription(subscription: FakeSubscription): CalendarSubscription {
  return {
    id: subscription.id,
    userId: subscription.userId,
    notificationUrl: subscription.notificationUrl,
    expiresAt: new Date(subscription.expiresAt),
  };
}
