import type { MailboxRef } from '../calendar/calendarGateway.js';
import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import { hasErrorCode, isAppError } from '../errors.js';
import { syncCalendar } from './calendarSync.js';
import { parseSubscriptionResource } from './graphNotifications.js';
import { updateWatchedUser } from './userRecords.js';
import { notificationUrls, subscriptionLifetimeMs, type WatchContext } from './watchContext.js';
import { type ErrorReason, withFailure } from './watchedUser.js';

export type ActivationOutcome = 'activated' | 'failed' | 'skipped' | 'deactivated';

/** The Error reason for a failure while subscribing or syncing. */
export function errorReasonFor(error: unknown, stage: 'subscribe' | 'sync'): ErrorReason {
  if (hasErrorCode(error, 'mailbox-gone')) return 'mailbox-gone';
  if (hasErrorCode(error, 'unauthorized')) return 'unauthorized';
  if (hasErrorCode(error, 'reauthorization-required')) return 'reauthorization-required';
  if (
    isCalendarServiceError(error) &&
    error.status === 404 &&
    error.serviceCode === 'Request_ResourceNotFound'
  )
    return 'mailbox-gone';
  return stage === 'subscribe' ? 'subscribe-failed' : 'sync-failed';
}

/** Whether a failure is of the bus or the store (ours: retry the message) rather than of Graph (the user's). */
function isInfrastructureFailure(error: unknown): boolean {
  return (
    !isCalendarServiceError(error) &&
    !(isAppError(error) && ['unauthorized', 'reauthorization-required'].includes(error.code))
  );
}

async function deleteSubscriptionQuietly(
  context: WatchContext,
  tenantId: string,
  subscriptionId: string,
): Promise<void> {
  try {
    await context.calendar.deleteSubscription(tenantId, subscriptionId);
  } catch (error) {
    if (!hasErrorCode(error, 'not-found')) throw error;
  }
}

/** The mailbox's language, or undefined when Graph will not say (decorations then use the tenant default). */
async function mailboxLanguage(context: WatchContext, mailbox: MailboxRef): Promise<string | undefined> {
  try {
    return (await context.calendar.getMailboxSettings(mailbox)).language?.locale ?? undefined;
  } catch (error) {
    if (!isCalendarServiceError(error)) throw error;
    return undefined;
  }
}

/** Creates the user's subscription; a leftover one for the same resource and URL (409) is replaced. */
async function subscribe(context: WatchContext, mailbox: MailboxRef) {
  const urls = notificationUrls(context.publicBaseUrl);
  const request = {
    resource: `/users/${mailbox.userId}/events`,
    changeType: 'created,updated,deleted',
    ...urls,
    expirationDateTime: new Date(context.clock.now().getTime() + subscriptionLifetimeMs),
    clientState: context.clientState.create(mailbox.tenantId, mailbox.userId),
  };
  try {
    return await context.calendar.createSubscription(mailbox.tenantId, request);
  } catch (error) {
    if (!hasErrorCode(error, 'already-exists')) throw error;
    const leftovers = (await context.calendar.listSubscriptions(mailbox.tenantId)).filter(
      (subscription) =>
        parseSubscriptionResource(subscription.resource)?.toLowerCase() === mailbox.userId.toLowerCase() &&
        subscription.notificationUrl === urls.notificationUrl,
    );
    for (const leftover of leftovers) await deleteSubscriptionQuietly(context, mailbox.tenantId, leftover.id);
    return await context.calendar.createSubscription(mailbox.tenantId, request);
  }
}

/**
 * Activation: subscribe to the user's events (replacing an older subscription), then sync the window
 * so every meeting already there is processed. A Graph failure puts the user in Error with the
 * reason and the next retry time; a bus or store failure is thrown so the message is delivered again.
 */
export async function activateUser(context: WatchContext, key: MailboxRef): Promise<ActivationOutcome> {
  const mailbox = { tenantId: key.tenantId.toLowerCase(), userId: key.userId.toLowerCase() };
  const stored = await context.users.read(mailbox.userId, mailbox.tenantId);
  if (!stored?.value.enabled) return 'skipped';
  const fail = async (error: unknown, stage: 'subscribe' | 'sync'): Promise<ActivationOutcome> => {
    if (isInfrastructureFailure(error)) throw error;
    const reason = errorReasonFor(error, stage);
    await updateWatchedUser(context.users, context.clock, mailbox, (user) =>
      withFailure(user, reason, context.clock.now()),
    );
    context.counters.increment(`activation.failed.${reason}`);
    return 'failed';
  };

  let subscription: Awaited<ReturnType<typeof subscribe>>;
  try {
    if (stored.value.subscriptionId)
      await deleteSubscriptionQuietly(context, mailbox.tenantId, stored.value.subscriptionId);
    subscription = await subscribe(context, mailbox);
  } catch (error) {
    return fail(error, 'subscribe');
  }
  // Recorded at once, so that a crash before the sync leaves no subscription the service forgot.
  await updateWatchedUser(context.users, context.clock, mailbox, (user) => ({
    ...user,
    subscriptionId: subscription.id,
    subscriptionExpiresAt: new Date(subscription.expirationDateTime).toISOString(),
  }));
  let synced: Awaited<ReturnType<typeof syncCalendar>>;
  try {
    synced = await syncCalendar(
      context,
      mailbox,
      stored.value.deltaLink,
      stored.value.deltaLink ? 'resync' : 'initial-sync',
    );
  } catch (error) {
    return fail(error, 'sync');
  }
  const now = context.clock.now().toISOString();
  const language = await mailboxLanguage(context, mailbox);
  await updateWatchedUser(context.users, context.clock, mailbox, (user) => ({
    ...user,
    language: language ?? user.language,
    state: 'activated',
    errorReason: null,
    consecutiveFailures: 0,
    nextRetryAt: null,
    deltaLink: synced.deltaLink,
    activatedAt: user.activatedAt ?? now,
  }));
  context.counters.increment('activation.activated');
  return 'activated';
}

/** Stops watching a user: the subscription is deleted and the user is Not activated. */
export async function deactivateUser(context: WatchContext, key: MailboxRef): Promise<ActivationOutcome> {
  const mailbox = { tenantId: key.tenantId.toLowerCase(), userId: key.userId.toLowerCase() };
  const stored = await context.users.read(mailbox.userId, mailbox.tenantId);
  if (!stored) return 'skipped';
  if (stored.value.enabled) return 'skipped';
  if (stored.value.subscriptionId) {
    try {
      await deleteSubscriptionQuietly(context, mailbox.tenantId, stored.value.subscriptionId);
    } catch (error) {
      if (isInfrastructureFailure(error)) throw error;
      if (isAppError(error) && error.transient) throw error;
    }
  }
  await updateWatchedUser(context.users, context.clock, mailbox, (user) =>
    user.enabled
      ? undefined
      : {
          ...user,
          state: 'not-activated',
          errorReason: null,
          nextRetryAt: null,
          subscriptionId: null,
          subscriptionExpiresAt: null,
          deltaLink: null,
        },
  );
  context.counters.increment('activation.deactivated');
  return 'deactivated';
}
