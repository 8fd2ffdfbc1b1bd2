import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import { hasErrorCode } from '../errors.js';
import { errorReasonFor } from './activation.js';
import { syncCalendar } from './calendarSync.js';
import type { LifecycleMessage, UserActivationMessage } from './messages.js';
import { messageIdFor } from './messages.js';
import { updateWatchedUser } from './userRecords.js';
import { subscriptionLifetimeMs, type WatchContext } from './watchContext.js';
import { withFailure } from './watchedUser.js';

export type LifecycleOutcome = 'renewed' | 'recreating' | 'resynced' | 'ignored' | 'failed';

export async function requestActivation(
  context: WatchContext,
  message: Omit<UserActivationMessage, 'version'>,
  dedupeKey?: string,
): Promise<void> {
  await context.bus.send('user-activation', {
    body: { version: 1, ...message },
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
  const stored = await context.users.read(message.userId, message.tenantId);
  const user = stored?.value;
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
      await context.calendar.reauthorizeSubscription(message.tenantId, message.subscriptionId);
      const renewed = await context.calendar.renewSubscription(
        message.tenantId,
        message.subscriptionId,
        new Date(context.clock.now().getTime() + subscriptionLifetimeMs),
      );
      await updateWatchedUser(context.users, context.clock, mailbox, (current) =>
        current.subscriptionId === renewed.id
          ? { ...current, subscriptionExpiresAt: new Date(renewed.expirationDateTime).toISOString() }
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
      await updateWatchedUser(context.users, context.clock, mailbox, (current) =>
        withFailure(current, errorReasonFor(error, 'subscribe'), context.clock.now()),
      );
      return 'failed';
    }
  }
  try {
    const synced = await syncCalendar(context, mailbox, user.deltaLink, 'resync');
    await updateWatchedUser(context.users, context.clock, mailbox, (current) => ({
      ...current,
      deltaLink: synced.deltaLink,
    }));
    context.counters.increment('lifecycle.resynced');
    return 'resynced';
  } catch (error) {
    if (!isCalendarServiceError(error)) throw error;
    await updateWatchedUser(context.users, context.clock, mailbox, (current) =>
      withFailure(current, errorReasonFor(error, 'sync'), context.clock.now()),
    );
    return 'failed';
  }
}
