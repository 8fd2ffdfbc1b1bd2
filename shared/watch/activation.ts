import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import type { CalendarSubscription } from '../calendar/mailboxWatch.js';
import { isReauthorizationRequired } from '../calendar/tokenProvider.js';
import { reasonForRefusedRefreshToken } from '../connect/tokenFailureTriage.js';
import { hasErrorCode, isAppError } from '../errors.js';
import { syncCalendar } from './calendarSync.js';
import { requestReconciliation } from './reconciliation.js';
import { reconciliationSlotOf } from './reconciliationSlot.js';
import { notificationUrls, subscriptionLifetimeMs, type WatchContext } from './watchContext.js';
import { type ErrorReason, withFailure } from './watchedUser.js';

export type ActivationOutcome = 'activated' | 'failed' | 'skipped' | 'deactivated';

/** The Error reason for a failure while subscribing or syncing. */
export function errorReasonFor(error: unknown, stage: 'subscribe' | 'sync'): ErrorReason {
  if (hasErrorCode(error, 'mailbox-gone')) return 'mailbox-gone';
  if (hasErrorCode(error, 'unauthorized')) return 'unauthorized';
  if (isReauthorizationRequired(error)) return reasonForRefusedRefreshToken(error.aadstsCodes);
  if (hasErrorCode(error, 'reauthorization-required')) return 'reauthorization-required';
  return stage === 'subscribe' ? 'subscribe-failed' : 'sync-failed';
}

/** Whether a failure is of the bus or the store (ours: retry the message) rather than of Graph (the user's). */
function isInfrastructureFailure(error: unknown): boolean {
  return (
    !isCalendarServiceError(error) &&
    !(isAppError(error) && ['unauthorized', 'reauthorization-required'].includes(error.code))
  );
}

/** The mailbox's language, or undefined when Graph will not say (decorations then use the tenant default). */
async function mailboxLanguage(context: WatchContext, mailbox: MailboxRef): Promise<string | undefined> {
  try {
    return await context.mailboxes.mailboxLanguage(mailbox);
  } catch (error) {
    if (!isCalendarServiceError(error)) throw error;
    return undefined;
  }
}

/** Creates the user's subscription; a leftover one for the same mailbox and URL (409) is replaced. */
async function subscribe(context: WatchContext, mailbox: MailboxRef): Promise<CalendarSubscription> {
  const urls = notificationUrls(context.publicBaseUrl);
  const request = {
    mailbox,
    ...urls,
    expiresAt: new Date(context.clock.now().getTime() + subscriptionLifetimeMs),
    clientState: context.clientState.create(mailbox.tenantId, mailbox.userId),
  };
  try {
    return await context.mailboxes.subscribe(request);
  } catch (error) {
    if (!hasErrorCode(error, 'already-exists')) throw error;
    const leftovers = (await context.mailboxes.subscriptions(mailbox)).filter(
      (subscription) =>
        subscription.userId?.toLowerCase() === mailbox.userId.toLowerCase() &&
        subscription.notificationUrl === urls.notificationUrl,
    );
    for (const leftover of leftovers) await context.mailboxes.unsubscribe(mailbox, leftover.id);
    return await context.mailboxes.subscribe(request);
  }
}

/**
 * Activation: subscribe to the user's events (replacing an older subscription), then sync the window
 * so every meeting already there is processed. A Graph failure puts the user in Error with the
 * reason and the next retry time; a bus or store failure is thrown so the message is delivered again.
 */
export async function activateUser(context: WatchContext, key: MailboxRef): Promise<ActivationOutcome> {
  const mailbox = { tenantId: key.tenantId.toLowerCase(), userId: key.userId.toLowerCase() };
  const stored = await context.users.find(mailbox);
  if (!stored?.enabled) return 'skipped';
  const fail = async (error: unknown, stage: 'subscribe' | 'sync'): Promise<ActivationOutcome> => {
    if (isInfrastructureFailure(error)) throw error;
    const reason = errorReasonFor(error, stage);
    // A refused refresh token was recorded where it was refused (with the 30-day ask rule); once is enough.
    await context.users.update(mailbox, (user) =>
      isReauthorizationRequired(error) && user.state === 'error' && user.errorReason === reason
        ? undefined
        : withFailure(user, reason, context.clock.now()),
    );
    context.counters.increment(`activation.failed.${reason}`);
    return 'failed';
  };

  let subscription: CalendarSubscription;
  try {
    if (stored.subscriptionId) await context.mailboxes.unsubscribe(mailbox, stored.subscriptionId);
    subscription = await subscribe(context, mailbox);
  } catch (error) {
    return fail(error, 'subscribe');
  }
  // Recorded at once, so that a crash before the sync leaves no subscription the service forgot.
  await context.users.update(mailbox, (user) => ({
    ...user,
    subscriptionId: subscription.id,
    subscriptionExpiresAt: subscription.expiresAt.toISOString(),
  }));
  let synced: Awaited<ReturnType<typeof syncCalendar>>;
  try {
    synced = await syncCalendar(
      context,
      mailbox,
      stored.deltaLink,
      stored.deltaLink ? 'resync' : 'initial-sync',
    );
  } catch (error) {
    return fail(error, 'sync');
  }
  const now = context.clock.now().toISOString();
  const language = await mailboxLanguage(context, mailbox);
  await context.users.update(mailbox, (user) => ({
    ...user,
    language: language ?? user.language,
    state: 'activated',
    errorReason: null,
    consecutiveFailures: 0,
    nextRetryAt: null,
    deltaLink: synced.deltaLink,
    activatedAt: user.activatedAt ?? now,
    reconciliationSlot: reconciliationSlotOf(user.tenantId, user.id),
  }));
  // Recovery: whatever happened while the user was in Error, or before a delta link stopped
  // working, is healed by a full round over the window at once rather than at the user's slot.
  if (stored.state === 'error') {
    await requestReconciliation(context, mailbox, 'recovered', `recovered:${stored.updatedAt}`);
  } else if (stored.deltaLink && synced.fullResync) {
    await requestReconciliation(context, mailbox, 'full-resync', `full-resync:${synced.deltaLink}`);
  }
  context.counters.increment('activation.activated');
  return 'activated';
}

/** Stops watching a user: the subscription is deleted and the user is Not activated. */
export async function deactivateUser(context: WatchContext, key: MailboxRef): Promise<ActivationOutcome> {
  const mailbox = { tenantId: key.tenantId.toLowerCase(), userId: key.userId.toLowerCase() };
  const stored = await context.users.find(mailbox);
  if (!stored) return 'skipped';
  if (stored.enabled) return 'skipped';
  if (stored.subscriptionId) {
    try {
      await context.mailboxes.unsubscribe(mailbox, stored.subscriptionId);
    } catch (error) {
      if (isInfrastructureFailure(error)) throw error;
      if (isAppError(error) && error.transient) throw error;
    }
  }
  await context.users.update(mailbox, (user) =>
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
