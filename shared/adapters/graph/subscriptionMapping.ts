import { isCalendarServiceError } from '../../calendar/calendarServiceError.js';
import type {
  CalendarChanges,
  CalendarSubscription,
  MailboxAvailability,
  SubscriptionRenewal,
  SubscriptionRequest,
} from '../../calendar/mailboxWatch.js';
import type { BatchResult, BatchStep, DeltaResult, NewSubscription } from './calendarGateway.js';
import { parseSubscriptionResource } from './graphChangeNotifications.js';
import {
  type GraphSubscription,
  graphErrorBodySchema,
  graphSubscriptionSchema,
  type MailboxSettings,
} from './graphModels.js';
import { GraphRequestError } from './graphRequestError.js';

// Pure translations between Graph's wire models and the watch port's models: no I/O, so that each
// can be tested on literal Graph JSON.

/** Every change to a mailbox's events: what the watch subscribes to. */
const watchedChanges = 'created,updated,deleted';

/** Graph's 404 codes for a mailbox that left Exchange Online or a user that no longer exists. */
const mailboxGoneCodes: ReadonlySet<string> = new Set([
  'MailboxNotEnabledForRESTAPI',
  'Request_ResourceNotFound',
  'ResourceNotFound',
]);

function instantFrom(value: string, what: string): Date {
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) {
    throw new GraphRequestError('unexpected-response', {
      status: 200,
      graphCode: 'unexpected-response',
      message: `${what}: Graph answered an expiry that is not a date`,
    });
  }
  return instant;
}

/** A subscription request in Graph's words: the mailbox's events, every kind of change. */
export function subscriptionRequestToGraph(request: SubscriptionRequest): NewSubscription {
  return {
    resource: `/users/${request.mailbox.userId}/events`,
    changeType: watchedChanges,
    notificationUrl: request.notificationUrl,
    lifecycleNotificationUrl: request.lifecycleNotificationUrl,
    expirationDateTime: request.expiresAt,
    clientState: request.clientState,
  };
}

export function subscriptionFromGraph(subscription: GraphSubscription): CalendarSubscription {
  return {
    id: subscription.id,
    userId: parseSubscriptionResource(subscription.resource),
    notificationUrl: subscription.notificationUrl,
    expiresAt: instantFrom(subscription.expirationDateTime, 'subscription'),
  };
}

/** The `$batch` step that extends a subscription; its step id is the subscription's id. */
export function renewalStep(subscriptionId: string, expiresAt: Date): BatchStep {
  return {
    id: subscriptionId,
    method: 'PATCH',
    url: `/subscriptions/${encodeURIComponent(subscriptionId)}`,
    body: { expirationDateTime: expiresAt.toISOString() },
  };
}

/** A renewal step's answer: 200 with the subscription is renewed, 404 is gone, the rest failed. */
export function renewalFromBatchResult(result: BatchResult | undefined): SubscriptionRenewal {
  if (result?.status === 404) return { outcome: 'gone' };
  if (result?.status !== 200) return { outcome: 'failed' };
  const subscription = graphSubscriptionSchema.safeParse(result.body);
  if (!subscription.success) return { outcome: 'failed' };
  const expiresAt = new Date(subscription.data.expirationDateTime);
  return Number.isNaN(expiresAt.getTime()) ? { outcome: 'failed' } : { outcome: 'renewed', expiresAt };
}

/** The `$batch` step that asks whether a mailbox is still there; its step id is the user's id. */
export function mailboxProbeStep(userId: string): BatchStep {
  // The cheapest mailbox read there is: one setting of the mailbox.
  return { id: userId, method: 'GET', url: `/users/${userId}/mailboxSettings?$select=timeZone` };
}

/** A probe's answer: Graph's 404 for a mailbox or user that is gone, success, or anything else. */
export function availabilityFromBatchResult(result: BatchResult | undefined): MailboxAvailability {
  if (!result) return 'unknown';
  if (result.status >= 200 && result.status < 300) return 'available';
  const graphCode = graphErrorBodySchema.safeParse(result.body).data?.error.code;
  return result.status === 404 && graphCode !== undefined && mailboxGoneCodes.has(graphCode)
    ? 'gone'
    : 'unknown';
}

/**
 * A delta round lists occurrences and exceptions, never their series master: each master they name
 * is listed too (once, after them, with no change key), so a round from scratch also reaches a
 * master whose own notification was lost, and decorates it.
 */
export function calendarChangesFromDelta(delta: DeltaResult): CalendarChanges {
  const listed = new Set(delta.events.map((event) => event.id));
  const masters = new Set<string>();
  for (const event of delta.events)
    if (event.seriesMasterId && !listed.has(event.seriesMasterId)) masters.add(event.seriesMasterId);
  return {
    changed: [
      ...delta.events.map((event) => ({ eventId: event.id, changeKey: event.changeKey ?? undefined })),
      ...[...masters].map((eventId) => ({ eventId, changeKey: undefined })),
    ],
    removedEventIds: [...delta.removedIds],
    deltaLink: delta.deltaLink,
  };
}

export function languageFromMailboxSettings(settings: MailboxSettings): string | undefined {
  return settings.language?.locale ?? undefined;
}

/**
 * A failure of a request on a mailbox in the watch's words: Graph's 404 `Request_ResourceNotFound`
 * there means the user no longer exists in the directory, which for the watch is a mailbox that is
 * gone. (`MailboxNotEnabledForRESTAPI` already arrives as `mailbox-gone`.) Anything else is as it was.
 */
export function mailboxFailureFromGraph(error: unknown): unknown {
  if (
    !isCalendarServiceError(error) ||
    error.status !== 404 ||
    error.serviceCode !== 'Request_ResourceNotFound'
  )
    return error;
  return new GraphRequestError('mailbox-gone', {
    status: error.status,
    graphCode: error.serviceCode,
    requestId: error.requestId,
    message: `${error.message} (the user no longer exists)`,
    cause: error,
  });
}
