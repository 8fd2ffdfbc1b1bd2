import { queueNames, sessionIdForMailbox } from '../bus/queues.js';
import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import { hasErrorCode } from '../errors.js';
import { errorReasonFor } from './activation.js';
import { syncCalendar } from './calendarSync.js';
import type { LifecycleMessage, UserActivationMessage } from './messages.js';
import { messageIdFor } from './messages.js';
import { requestReconciliation } from './reconciliation.js';
import { subscriptionLifetimeMs, type WatchContext } from './watchContext.js';
import { withFailure } from './watchedUser.js';

export type LifecycleOutcome = 'renewed' | 'recreating' | 'resynced' | 'ignored' | 'failed';

export async function requestActivation(
  context: WatchContext,
  message: Omit<UserActivationMessage, 'version'>,
  dedupeKey?: string,
): Promise<void> {
  await context.bus.send(queueNames.userActivation, {
    body: { version: 1, ...message },
    sessionId: sessionIdForMailbox(message),
    ...(dedupeKey
      ? { messageId: messageIdFor('activation', message.action, message.tenantId, message.userId, dedupeKey) }
      : {}),
  });
}

/**
 * Acts on a verified lifecycle notification: `reauthorizationRequired` reauthorizes and renews,
 * `subscriptionRemoved` recreates the subscription and resyncs (through activation), `missed`
 * resyncs from the stored delta link. Notifications for a subscription the user no longer has are
 * ignored.
 */
export async function processLifecycle(
  context: WatchContext,
  message: LifecycleMessage,
): Promise<LifecycleOutcome> {
  const mailbox = { tenantId: message.tenantId, userId: message.userId };
  const user = await context.users.find(mailbox);
  if (!user?.enabled || user.subscriptionId !== message.subscriptionId) {
    context.counters.increment('lifecycle.ignored');
    return 'ignored';
  }
  if (message.lifecycleEvent === 'subscriptionRemoved') {
    await requestActivation(context, { action: 'activate', cause: 'subscription-removed', ...mailbox });
    return 'recreating';
  }
  if (message.lifecycleEvent === 'reauthorizationRequired') {
    try {
      await context.mailboxes.reauthorize(mailbox, message.subscriptionId);
      const renewed = await context.mailboxes.renew(
        mailbox,
        message.subscriptionId,
        new Date(context.clock.now().getTime() + subscriptionLifetimeMs),
      );
      await context.users.update(mailbox, (current) =>
        current.subscriptionId === renewed.id
          ? { ...current, subscriptionExpiresAt: renewed.expiresAt.toISOString() }
          : undefined,
      );
      context.counters.increment('lifecycle.reauthorized');
      return 'renewed';
    } catch (error) {
      if (hasErrorCode(error, 'not-found')) {
        await requestActivation(context, { action: 'activate', cause: 'subscription-removed', ...mailbox });
        return 'recreating';
      }
      if (!isCalendarServiceError(error)) throw error;
      await context.users.update(mailbox, (current) =>
        withFailure(current, errorReasonFor(error, 'subscribe'), context.clock.now()),
      );
      return 'failed';
    }
  }
  try {
    const synced = await syncCalendar(context, mailbox, user.deltaLink, 'resync');
    await context.users.update(mailbox, (current) => ({ ...current, deltaLink: synced.deltaLink }));
    if (user.deltaLink && synced.fullResync)
      await requestReconciliation(context, mailbox, 'full-resync', `full-resync:${synced.deltaLink}`);
    context.counters.increment('lifecycle.resynced');
    return 'resynced';
  } catch (error) {
    if (!isCalendarServiceError(error)) throw error;
    await context.users.update(mailbox, (current) =>
      withFailure(current, errorReasonFor(error, 'sync'), context.clock.now()),
    );
    return 'failed';
  }
}
