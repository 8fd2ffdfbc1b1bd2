import { queueNames } from '../bus/queues.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import type { CalendarChanges } from '../calendar/mailboxWatch.js';
import { hasErrorCode } from '../errors.js';
import { eventChangeOutgoing } from './messages.js';
import { type WatchContext, watchWindow } from './watchContext.js';

/**
 * Reads what changed in a mailbox's window and puts every change on `event-changes`: from the stored
 * delta link when there is one, else (or when the link expired) from scratch over the window. Returns
 * the new delta link, to be stored only after every message is on the bus.
 */
export async function syncCalendar(
  context: WatchContext,
  mailbox: MailboxRef,
  deltaLink: string | null,
  source: 'initial-sync' | 'resync',
): Promise<{ deltaLink: string; changes: number; fullResync: boolean }> {
  let result: CalendarChanges;
  let fullResync = deltaLink === null;
  try {
    result = deltaLink
      ? await context.mailboxes.calendarChanges(mailbox, { deltaLink })
      : await context.mailboxes.calendarChanges(mailbox, { window: watchWindow(context.clock.now()) });
  } catch (error) {
    if (!deltaLink || !hasErrorCode(error, 'sync-state-expired')) throw error;
    context.counters.increment('sync.delta-expired');
    fullResync = true;
    result = await context.mailboxes.calendarChanges(mailbox, { window: watchWindow(context.clock.now()) });
  }
  const observedAt = context.clock.now().toISOString();
  const messages = [
    ...result.changed.map((event) =>
      eventChangeOutgoing({
        version: 1,
        tenantId: mailbox.tenantId,
        userId: mailbox.userId,
        eventId: event.eventId,
        changeType: 'updated',
        changeKey: event.changeKey ?? null,
        source,
        subscriptionId: null,
        observedAt,
      }),
    ),
    ...result.removedEventIds.map((eventId) =>
      eventChangeOutgoing({
        version: 1,
        tenantId: mailbox.tenantId,
        userId: mailbox.userId,
        eventId,
        changeType: 'deleted',
        changeKey: null,
        source,
        subscriptionId: null,
        observedAt,
      }),
    ),
  ];
  await Promise.all(messages.map((message) => context.bus.send(queueNames.eventChanges, message)));
  context.counters.increment(`sync.${source}`);
  return { deltaLink: result.deltaLink, changes: messages.length, fullResync };
}
