import { afterEach, describe, expect, it } from 'vitest';
import { gateEventChange } from '../../../shared/meetings/eventChangeGate.js';
import { processEventChange } from '../../../shared/meetings/processEventChange.js';
import { RecordedEventIds } from '../../../shared/meetings/recordedEventIds.js';
import { activateUser } from '../../../shared/watch/activation.js';
import { processLifecycle } from '../../../shared/watch/lifecycle.js';
import { eventChangeMessageSchema, userActivationMessageSchema } from '../../../shared/watch/messages.js';
import {
  reconcileUser,
  reconciliationPeriodMs,
  reconciliationTickMs,
  requestDueReconciliations,
  slotTimeBetween,
} from '../../../shared/watch/reconciliation.js';
import { reconciliationSlotOf } from '../../../shared/watch/reconciliationSlot.js';
import { watchWindow } from '../../../shared/watch/watchContext.js';
import { calendarServiceError } from '../../support/fakes/fakeMailboxWatch.js';
import {
  alice,
  buildCalendarEvent,
  buildEventChange,
  buildMeetings,
} from '../../support/meetingsBuilders.js';
import {
  buildLifecycleMessage,
  buildWatch,
  buildWatchedUser,
  type WatchHarness,
  watchTenantId,
  watchUserId,
} from '../../support/watchBuilders.js';

const mailbox = { tenantId: watchTenantId, userId: watchUserId };
let watch: WatchHarness;

afterEach(async () => {
  await watch.bus.close();
});

function activatedWatch(): WatchHarness {
  const harness = buildWatch();
  harness.users.seed(
    buildWatchedUser({ state: 'activated', subscriptionId: 'subscription-1', deltaLink: 'fake-delta:0' }),
  );
  return harness;
}

const reconcileRequests = (harness: WatchHarness) =>
  harness.sent('user-activation').filter((message) => message.body.action === 'reconcile');

describe('reconciling a user', () => {
  it('when an event the consumer never saw is in the window, then it is sent as an updated change with its change key', async () => {
    watch = activatedWatch();
    watch.mailboxes.putEvent(mailbox, 'event-missed', 'key-7');

    const result = await reconcileUser(watch.context, mailbox, 'round-1');

    expect(result).toEqual({ outcome: 'reconciled', listed: 1, missing: 0 });
    expect(watch.sent('event-changes').map((message) => message.body)).toEqual([
      expect.objectContaining({
        eventId: 'event-missed',
        changeType: 'updated',
        changeKey: 'key-7',
        source: 'reconciliation',
        subscriptionId: null,
      }),
    ]);
    expect(watch.mailboxes.callsOf('calendarChanges')).toEqual([
      [expect.objectContaining({ userId: watchUserId }), { window: watchWindow(watch.clock.now()) }],
    ]);
  });

  it('when a record’s event is no longer listed, then a deleted change is sent for it', async () => {
    watch = activatedWatch();
    watch.mailboxes.putEvent(mailbox, 'event-kept', 'key-1');
    watch.recorded.record(mailbox, 'event-kept');
    watch.recorded.record(mailbox, 'event-gone');

    const result = await reconcileUser(watch.context, mailbox, 'round-1');

    expect(result).toEqual({ outcome: 'reconciled', listed: 1, missing: 1 });
    expect(watch.sent('event-changes').map((message) => message.body)).toEqual([
      expect.objectContaining({ eventId: 'event-kept', changeType: 'updated' }),
      expect.objectContaining({
        eventId: 'event-gone',
        changeType: 'deleted',
        changeKey: null,
        source: 'reconciliation',
      }),
    ]);
    expect(watch.recorded.windows).toEqual([watchWindow(watch.clock.now())]);
  });

  it('when an event was already handled, then it is still sent with its change key and the consumer skips it', async () => {
    watch = activatedWatch();
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: 'Room 12; @webex' }));
    await processEventChange(meetings.context, buildEventChange({ changeKey: 'change-0' }));
    const handled = meetings.calendar.event(alice, 'AAMkAGI2-event-1=');
    watch.mailboxes.putEvent(mailbox, 'AAMkAGI2-event-1=', handled?.changeKey ?? undefined);

    await reconcileUser(watch.context, mailbox, 'round-1');

    const [sent] = watch.sent('event-changes');
    const message = eventChangeMessageSchema.parse(sent?.body);
    expect(message.changeKey).toBe(handled?.changeKey);
    expect(await gateEventChange(meetings.context, message)).toEqual({ admitted: false });
    expect(meetings.counters.get('events.skipped.already-handled')).toBe(1);
  });

  it('when the same round is sent twice, then every change is one message; a later round is sent again', async () => {
    watch = activatedWatch();
    watch.mailboxes.putEvent(mailbox, 'event-1', 'key-1');
    watch.recorded.record(mailbox, 'event-gone');

    await reconcileUser(watch.context, mailbox, 'round-1');
    await reconcileUser(watch.context, mailbox, 'round-1');
    await reconcileUser(watch.context, mailbox, 'round-2');

    expect(watch.sent('event-changes')).toHaveLength(4);
    expect(watch.bus.diagnostics('event-changes').duplicatesDropped).toBe(2);
  });

  it('when the user is not activated, then nothing is read or sent', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser({ state: 'error', errorReason: 'subscribe-failed' }));

    expect(await reconcileUser(watch.context, mailbox, 'round-1')).toEqual({ outcome: 'skipped' });
    expect(watch.mailboxes.callsOf('calendarChanges')).toEqual([]);
    expect(watch.sent('event-changes')).toEqual([]);
  });

  it('when the mailbox is gone, then the round fails without a retry; when Graph is throttling, then it is thrown to be retried', async () => {
    watch = activatedWatch();
    watch.mailboxes.markGone(mailbox);
    expect(await reconcileUser(watch.context, mailbox, 'round-1')).toEqual({
      outcome: 'failed',
      code: 'mailbox-gone',
    });

    watch.mailboxes.failNext('calendarChanges', calendarServiceError('throttled', 429, 'TooManyRequests'));
    await expect(reconcileUser(watch.context, mailbox, 'round-2')).rejects.toMatchObject({
      code: 'throttled',
    });
    expect(watch.sent('event-changes')).toEqual([]);
  });
});

describe('the records the reconciliation checks against', () => {
  it('when a user has sealed records in the window, then their event ids are read from the sealed details', async () => {
    watch = buildWatch();
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent());
    await processEventChange(meetings.context, buildEventChange());
    const recorded = new RecordedEventIds(meetings.context);

    expect(await recorded.eventIdsIn(alice, watchWindow(meetings.clock.now()))).toEqual([
      'AAMkAGI2-event-1=',
    ]);
    expect(
      await recorded.eventIdsIn(alice, {
        from: new Date('2027-01-01T00:00:00Z'),
        to: new Date('2027-02-01T00:00:00Z'),
      }),
    ).toEqual([]);
  });
});

describe('spreading users over the period', () => {
  it('when ticks cover two periods, then each of 1,000 users is due exactly once per period and no tick takes far more than its share', () => {
    watch = buildWatch();
    const users = Array.from({ length: 1_000 }, (_, index) => ({
      tenantId: watchTenantId,
      userId: `user-${index}`,
    }));
    const start = Date.parse('2026-11-22T00:00:00Z');
    const dueCount = new Map<string, number>();
    const perTick: number[] = [];
    for (let from = start; from < start + 2 * reconciliationPeriodMs; from += reconciliationTickMs) {
      let inTick = 0;
      for (const user of users) {
        if (!slotTimeBetween(user, new Date(from), new Date(from + reconciliationTickMs))) continue;
        dueCount.set(user.userId, (dueCount.get(user.userId) ?? 0) + 1);
        inTick += 1;
      }
      perTick.push(inTick);
    }

    expect([...dueCount.values()].every((count) => count === 2)).toBe(true);
    expect(dueCount.size).toBe(1_000);
    const share = 1_000 / (reconciliationPeriodMs / reconciliationTickMs);
    expect(Math.max(...perTick)).toBeLessThan(share * 2.5);
  });

  it('when the timer runs every tick for a period, then each activated user is requested once, slot stored or not, and others never', async () => {
    watch = buildWatch();
    for (let index = 0; index < 200; index += 1)
      watch.users.seed(
        buildWatchedUser({
          id: `user-${index}`,
          state: 'activated',
          subscriptionId: `subscription-${index}`,
          // Half as older documents, with no slot stored.
          reconciliationSlot: index % 2 ? reconciliationSlotOf(watchTenantId, `user-${index}`) : null,
        }),
      );
    watch.users.seed(buildWatchedUser({ id: 'user-in-error', state: 'error', errorReason: 'sync-failed' }));

    const runs = reconciliationPeriodMs / reconciliationTickMs;
    for (let run = 0; run < runs; run += 1) {
      await requestDueReconciliations(watch.context);
      watch.clock.advanceBy(reconciliationTickMs);
    }

    const requested = reconcileRequests(watch).map((message) =>
      userActivationMessageSchema.parse(message.body),
    );
    expect(requested).toHaveLength(200);
    expect(new Set(requested.map((message) => message.userId)).size).toBe(200);
    expect(requested.every((message) => message.cause === 'scheduled' && message.round)).toBe(true);
    expect(requested.some((message) => message.userId === 'user-in-error')).toBe(false);
  });

  it('when the timer runs twice in one tick, then the second run sends only duplicates', async () => {
    watch = buildWatch();
    for (let index = 0; index < 100; index += 1)
      watch.users.seed(buildWatchedUser({ id: `user-${index}`, state: 'activated' }));
    let requested = 0;
    while (requested === 0) {
      requested = await requestDueReconciliations(watch.context);
      watch.clock.advanceBy(reconciliationTickMs);
    }
    watch.clock.advanceBy(-reconciliationTickMs + 1_000);

    expect(await requestDueReconciliations(watch.context)).toBe(requested);
    expect(reconcileRequests(watch)).toHaveLength(requested);
    expect(watch.bus.diagnostics('user-activation').duplicatesDropped).toBe(requested);
  });
});

describe('reconciling at once after a recovery', () => {
  it('when a user is activated, then their reconciliation slot is stored for the timer’s query', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser());

    await activateUser(watch.context, mailbox);

    expect((await watch.users.find(mailbox))?.reconciliationSlot).toBe(
      reconciliationSlotOf(watchTenantId, watchUserId),
    );
  });

  it('when activation succeeds after an Error, then a reconciliation is requested', async () => {
    watch = buildWatch();
    watch.users.seed(
      buildWatchedUser({ state: 'error', errorReason: 'mailbox-gone', consecutiveFailures: 2 }),
    );

    expect(await activateUser(watch.context, mailbox)).toBe('activated');

    expect(reconcileRequests(watch).map((message) => message.body)).toEqual([
      expect.objectContaining({ action: 'reconcile', cause: 'recovered', userId: watchUserId }),
    ]);
  });

  it('when activation replaces an expired delta link by a full sync, then a reconciliation is requested', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser({ state: 'activated', deltaLink: 'fake-delta:0' }));
    watch.mailboxes.expireDeltaLinks(mailbox);

    await activateUser(watch.context, mailbox);

    expect(reconcileRequests(watch).map((message) => message.body)).toEqual([
      expect.objectContaining({ action: 'reconcile', cause: 'full-resync' }),
    ]);
  });

  it('when a first activation or a resync from a working delta link succeeds, then no reconciliation is requested', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser());
    await activateUser(watch.context, mailbox);
    await activateUser(watch.context, mailbox);

    expect(reconcileRequests(watch)).toEqual([]);
  });

  it('when a missed notification finds the delta link expired, then the full resync is followed by a reconciliation', async () => {
    watch = activatedWatch();
    watch.mailboxes.expireDeltaLinks(mailbox);

    expect(await processLifecycle(watch.context, buildLifecycleMessage({ lifecycleEvent: 'missed' }))).toBe(
      'resynced',
    );

    expect(reconcileRequests(watch).map((message) => message.body)).toEqual([
      expect.objectContaining({ action: 'reconcile', cause: 'full-resync' }),
    ]);
  });
});

describe('reconciliation messages', () => {
  it('when a message written before reconciliation existed arrives, then it is still valid', () => {
    expect(
      userActivationMessageSchema.parse({
        version: 1,
        action: 'activate',
        tenantId: watchTenantId,
        userId: watchUserId,
        cause: 'retry',
      }),
    ).not.toHaveProperty('round');
    expect(eventChangeMessageSchema.parse(buildEventChange({ source: 'resync' })).source).toBe('resync');
  });
});
