import type { MailboxRef } from '../calendar/mailbox.js';
import type { EventChangeMessage } from '../watch/messages.js';
import type { WatchedUser } from '../watch/watchedUser.js';
import { traceKeyOf } from './eventTraceLog.js';
import type { MeetingsContext } from './meetingsContext.js';

export type GateDecision = { admitted: true; user: WatchedUser; mailbox: MailboxRef } | { admitted: false };

/**
 * Whether a change is still ours to handle, decided without asking the calendar: the user is watched
 * and enabled, the subscription that reported it is the user's current one, and (for anything but a
 * deletion) its change key is not one already handled. Each refusal is counted.
 */
export async function gateEventChange(
  context: Pick<MeetingsContext, 'users' | 'traces' | 'counters'>,
  message: EventChangeMessage,
): Promise<GateDecision> {
  const user = await context.users.find({ tenantId: message.tenantId, userId: message.userId });
  if (!user?.enabled) {
    context.counters.increment('events.ignored.user-not-watched');
    return { admitted: false };
  }
  if (
    message.source === 'notification' &&
    message.subscriptionId &&
    message.subscriptionId !== user.subscriptionId
  ) {
    context.counters.increment('events.ignored.stale-subscription');
    return { admitted: false };
  }
  // The echo of our own write, and any change already handled, carry a change key we have seen.
  if (message.changeType !== 'deleted' && message.changeKey) {
    const handled = (await context.traces.find(traceKeyOf(message)))?.lastChangeKey;
    if (handled === message.changeKey) {
      context.counters.increment('events.skipped.already-handled');
      return { admitted: false };
    }
  }
  return { admitted: true, user, mailbox: { tenantId: user.tenantId, userId: user.id } };
}
