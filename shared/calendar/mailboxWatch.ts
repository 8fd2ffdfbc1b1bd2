import type { MailboxRef, TenantOrMailbox, TimeWindow } from './mailbox.js';

/** A subscription to the events of one mailbox, as the calendar service reported it. */
export interface CalendarSubscription {
  id: string;
  /** The user whose events it watches, read from the subscribed resource; undefined when it names none. */
  userId: string | undefined;
  notificationUrl: string;
  expiresAt: Date;
}

/** What a new subscription to a mailbox's events needs. */
export interface SubscriptionRequest {
  mailbox: MailboxRef;
  /** Where change notifications go. */
  notificationUrl: string;
  /** Where lifecycle notifications (reauthorize, removed, missed) go. */
  lifecycleNotificationUrl: string;
  expiresAt: Date;
  /** Sent back with every notification, so that a notification can be verified. */
  clientState: string;
}

/**
 * The outcome of renewing one subscription: `renewed` with its new expiry; `gone` when the calendar
 * service no longer knows it (it must be created again); `failed` for anything else (try again later).
 */
export type SubscriptionRenewal =
  | { outcome: 'renewed'; expiresAt: Date }
  | { outcome: 'gone' }
  | { outcome: 'failed' };

/**
 * Whether a mailbox can still be watched: `gone` when it left the calendar service (moved
 * on-premises, deleted, unlicensed), `unknown` when the check itself failed.
 */
export type MailboxAvailability = 'available' | 'gone' | 'unknown';

/** An event that was created or changed. */
export interface ChangedEvent {
  eventId: string;
  /** The version of the event the change produced, when the calendar service says. */
  changeKey: string | undefined;
}

/** What changed in a mailbox's calendar since the last round, and where the next round starts. */
export interface CalendarChanges {
  changed: ChangedEvent[];
  removedEventIds: string[];
  /** Opaque; store it with the user and pass it back for the next round. */
  deltaLink: string;
}

/**
 * What watching calendars needs from the calendar service (Microsoft Graph), in the watch's own words.
 * Failures of the calendar service are `CalendarServiceError`s with the service's error code:
 * `mailbox-gone` (the mailbox left the service, or its user no longer exists), `already-exists` (a
 * subscription for the same mailbox and URL is still there), `not-found`, `unauthorized`,
 * `sync-state-expired` (a delta link that no longer works), `throttled`, `dependency-unavailable`.
 */
export interface MailboxWatch {
  /** Subscribes to the creation, change and deletion of the mailbox's events. */
  subscribe(request: SubscriptionRequest): Promise<CalendarSubscription>;
  /** Extends one subscription; `not-found` when the service no longer knows it. */
  renew(owner: TenantOrMailbox, subscriptionId: string, expiresAt: Date): Promise<CalendarSubscription>;
  /**
   * Extends many subscriptions of a tenant at once. Every subscription asked for has an outcome;
   * the failure of one is its outcome, never a throw.
   */
  renewAll(
    owner: TenantOrMailbox,
    subscriptionIds: readonly string[],
    expiresAt: Date,
  ): Promise<Map<string, SubscriptionRenewal>>;
  /** Lets a subscription that asked for it go on delivering notifications. */
  reauthorize(owner: TenantOrMailbox, subscriptionId: string): Promise<void>;
  /** Ends a subscription. One the service no longer knows counts as ended. */
  unsubscribe(owner: TenantOrMailbox, subscriptionId: string): Promise<void>;
  /**
   * Every subscription the app holds in the tenant (with the app's token), or, given a connected
   * user's mailbox, those it holds with that user's token. Mailbox-scoped calls above take the mailbox
   * for the same reason: a connected user's subscription is handled with their delegated token.
   */
  subscriptions(owner: TenantOrMailbox): Promise<CalendarSubscription[]>;
  /** Whether each mailbox can still be watched, by user id. Every user asked for has an answer. */
  mailboxAvailability(
    owner: TenantOrMailbox,
    userIds: readonly string[],
  ): Promise<Map<string, MailboxAvailability>>;
  /** The mailbox's language (`sv-SE`), or undefined when it has none set. */
  mailboxLanguage(mailbox: MailboxRef): Promise<string | undefined>;
  /**
   * The calendar's changes: from the start over a window (every event in it counts as changed), or
   * since an earlier round's delta link.
   */
  calendarChanges(
    mailbox: MailboxRef,
    since: { window: TimeWindow } | { deltaLink: string },
  ): Promise<CalendarChanges>;
}
