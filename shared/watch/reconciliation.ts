import { queueNames, sessionIdForMailbox } from '../bus/queues.js';
import { isCalendarServiceError } from '../calendar/calendarServiceError.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import { isTransient } from '../errors.js';
import { eventChangeOutgoing, messageIdFor, type UserActivationMessage } from './messages.js';
import { reconciliationPeriodMs, reconciliationSlotOf } from './reconciliationSlot.js';
import { type WatchContext, watchWindow } from './watchContext.js';

export { reconciliationPeriodMs } from './reconciliationSlot.js';

/** How often the reconciliation timer runs; each run requests the users whose slot fell in the last tick. */
export const reconciliationTickMs = 5 * 60_000;

export type ReconciliationCause = Extract<
  UserActivationMessage['cause'],
  'scheduled' | 'recovered' | 'full-resync'
>;

/**
 * The time in `[from, to)` at which the user's slot comes round, or undefined when it does not:
 * consecutive ticks cover the period once, so each user is due once per period.
 */
export function slotTimeBetween(
  mailbox: MailboxRef,
  from: Date,
  to: Date,
  periodMs = reconciliationPeriodMs,
): Date | undefined {
  const slot = reconciliationSlotOf(mailbox.tenantId, mailbox.userId, periodMs);
  const periodStart = from.getTime() - (((from.getTime() % periodMs) + periodMs) % periodMs);
  let at = periodStart + slot;
  if (at < from.getTime()) at += periodMs;
  return at < to.getTime() ? new Date(at) : undefined;
}

/** Puts one reconciliation of the user on `user-activation`; the same `round` twice is one message. */
export async function requestReconciliation(
  context: Pick<WatchContext, 'bus'>,
  mailbox: MailboxRef,
  cause: ReconciliationCause,
  round: string,
): Promise<void> {
  const tenantId = mailbox.tenantId.toLowerCase();
  const userId = mailbox.userId.toLowerCase();
  const message: UserActivationMessage = { version: 1, action: 'reconcile', cause, tenantId, userId, round };
  await context.bus.send(queueNames.userActivation, {
    body: message,
    messageId: messageIdFor('activation', 'reconcile', tenantId, userId, round),
    sessionId: sessionIdForMailbox(mailbox),
  });
}

/**
 * The reconciliation timer's work: the activated users whose slot fell in the tick that just ended
 * (`[tick start - tick, tick start)`) are each sent to `user-activation` as one `reconcile`
 * message, so a run stays short and a failure is retried for its user alone. A tick run twice
 * sends the same MessageIds; a tick skipped leaves its users to the next period.
 */
export async function requestDueReconciliations(
  context: WatchContext,
  tickMs = reconciliationTickMs,
): Promise<number> {
  const periodMs = reconciliationPeriodMs;
  const now = context.clock.now().getTime();
  const to = new Date(now - (now % tickMs));
  const from = new Date(to.getTime() - tickMs);
  const fromSlot = ((from.getTime() % periodMs) + periodMs) % periodMs;
  const toSlot = fromSlot + tickMs;
  // The store finds the tick's users by their stored slot (a tick across the period's end asks
  // twice); the slot is computed again here, so a user whose slot is not stored yet is still right.
  const candidates = new Map(
    [
      ...(await context.users.dueForReconciliation(fromSlot, Math.min(toSlot, periodMs))),
      ...(toSlot > periodMs ? await context.users.dueForReconciliation(0, toSlot - periodMs) : []),
    ].map((user) => [`${user.tenantId}/${user.id}`, user]),
  );
  let requested = 0;
  for (const user of candidates.values()) {
    const mailbox = { tenantId: user.tenantId, userId: user.id };
    const at = slotTimeBetween(mailbox, from, to, periodMs);
    if (!at) continue;
    await requestReconciliation(context, mailbox, 'scheduled', at.toISOString());
    requested += 1;
  }
  context.counters.increment('reconciliation.requested', requested);
  return requested;
}

export type ReconciliationOutcome =
  | { outcome: 'reconciled'; listed: number; missing: number }
  | { outcome: 'skipped' }
  | { outcome: 'failed'; code: string };

/**
 * One full round over the user's window, independent of the stored delta link: every event listed
 * goes to `event-changes` as `updated` with its change key (the consumer skips those it has handled,
 * at the cost of one trace read), and every record whose event is no longer listed as `deleted`
 * (the consumer asks Graph before a record goes). Only activated users are reconciled. A transient
 * failure is thrown, to be retried; a permanent one of Graph is counted and left to the user's
 * next round (activation and the daily refresh deal with gone mailboxes and lost consent).
 */
export async function reconcileUser(
  context: WatchContext,
  key: MailboxRef,
  round: string,
): Promise<ReconciliationOutcome> {
  const mailbox = { tenantId: key.tenantId.toLowerCase(), userId: key.userId.toLowerCase() };
  const user = await context.users.find(mailbox);
  if (!user?.enabled || user.state !== 'activated') {
    context.counters.increment('reconciliation.skipped');
    return { outcome: 'skipped' };
  }
  const window = watchWindow(context.clock.now());
  let listed: Awaited<ReturnType<WatchContext['mailboxes']['calendarChanges']>>;
  try {
    listed = await context.mailboxes.calendarChanges(mailbox, { window });
  } catch (error) {
    if (!isCalendarServiceError(error) || isTransient(error)) throw error;
    context.counters.increment(`reconciliation.failed.${error.code}`);
    return { outcome: 'failed', code: error.code };
  }
  const listedIds = new Set(listed.changed.map((event) => event.eventId));
  const missing = (await context.recordedEvents.eventIdsIn(mailbox, window)).filter(
    (eventId) => !listedIds.has(eventId),
  );
  const observedAt = context.clock.now().toISOString();
  const change = (eventId: string, changeType: 'updated' | 'deleted', changeKey: string | null) =>
    eventChangeOutgoing(
      {
        version: 1,
        ...mailbox,
        eventId,
        changeType,
        changeKey,
        source: 'reconciliation',
        subscriptionId: null,
        observedAt,
      },
      round,
    );
  const messages = [
    ...listed.changed.map((event) => change(event.eventId, 'updated', event.changeKey ?? null)),
    ...missing.map((eventId) => change(eventId, 'deleted', null)),
  ];
  await Promise.all(messages.map((message) => context.bus.send(queueNames.eventChanges, message)));
  context.counters.increment('reconciliation.reconciled');
  context.counters.increment('reconciliation.missing-records', missing.length);
  return { outcome: 'reconciled', listed: listed.changed.length, missing: missing.length };
}
