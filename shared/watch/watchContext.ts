import type { MessageBus } from '../bus/messageBus.js';
import type { TimeWindow } from '../calendar/mailbox.js';
import type { MailboxWatch } from '../calendar/mailboxWatch.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import type { NotificationReader } from './changeNotices.js';
import type { ClientStateSigner } from './clientState.js';
import type { DroppedNotificationSummary } from './droppedNotifications.js';
import type { RecordedEvents } from './recordedEvents.js';
import type { WatchedUsers } from './watchedUsers.js';

/** What the calendar-watch use cases work with. */
export interface WatchContext {
  users: WatchedUsers;
  /** The calendar service, as far as watching mailboxes goes. */
  mailboxes: MailboxWatch;
  bus: MessageBus;
  clock: Clock;
  clientState: ClientStateSigner;
  /** Reads the calendar service's webhook bodies (the notification intake's edge). */
  notifications: NotificationReader;
  counters: Counters;
  /** The webhook's forged and malformed traffic per tenant, logged once a minute. */
  droppedNotifications: DroppedNotificationSummary;
  /** Which events users have meeting records for: what the reconciliation checks against Graph. */
  recordedEvents: RecordedEvents;
  /** The app's public base URL; Graph posts notifications to `{base}/api/notifications`. */
  publicBaseUrl: string;
}

/** The meetings window of the seed documents: 7 days back, 31 days ahead. */
export function watchWindow(now: Date): TimeWindow {
  return { from: new Date(now.getTime() - 7 * 86_400_000), to: new Date(now.getTime() + 31 * 86_400_000) };
}

/**
 * Subscription lifetime asked of Graph: Outlook events allow 10,080 minutes; a little less leaves
 * room for clock skew, and the renewal timer renews a day ahead anyway.
 */
export const subscriptionLifetimeMs = 10_000 * 60_000;

export function notificationUrls(publicBaseUrl: string): {
  notificationUrl: string;
  lifecycleNotificationUrl: string;
} {
  const base = publicBaseUrl.replace(/\/+$/, '');
  return { notificationUrl: `${base}/api/notifications`, lifecycleNotificationUrl: `${base}/api/lifecycle` };
}
