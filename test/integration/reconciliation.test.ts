import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '../../dev/localStack.js';
import { reconciliationFunction } from '../../functions/reconciliation.js';
import type { MailboxRef } from '../../shared/calendar/mailbox.js';
import { keyOf, meetingRecords } from '../../shared/meetings/meetingRecord.js';
import {
  reconciliationPeriodMs,
  reconciliationTickMs,
  requestReconciliation,
} from '../../shared/watch/reconciliation.js';
import { seedFaultsForEachTest } from '../support/faultSeed.js';
import { markerPropertyId, readMarker } from '../support/graphEventMarker.js';
import { advanceClocks, startInProcessStack } from '../support/inProcessStack.js';
import { buildInvocationContext } from '../support/invocationContext.js';

// Nothing lost: with every change notification dropped by the Graph simulator, the scheduled
// reconciliation alone decorates a new meeting and removes the record of a deleted one.
let stack: RunningLocalStack;
let tenantId: string;
const alice = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
const mailbox = (): MailboxRef => ({ tenantId, userId: alice });

seedFaultsForEachTest(() => [stack?.graph, stack?.webex]);

async function settle(): Promise<void> {
  for (let round = 0; round < 5; round += 1) {
    await stack.graph.subscriptions.settle();
    await stack.bus.idle();
  }
}

function patchCount(): number {
  return stack.graph.limiter.stats.get(alice)?.byOperation['PATCH event'] ?? 0;
}

async function hasRecord(eventId: string): Promise<boolean> {
  return (await stack.services.store.collection(meetingRecords).read(keyOf(eventId), alice)) !== undefined;
}

function slot(daysAhead: number) {
  const day = new Date(stack.clock.now().getTime() + daysAhead * 86_400_000).toISOString().slice(0, 10);
  return {
    start: { dateTime: `${day}T14:00:00`, timeZone: 'UTC' },
    end: { dateTime: `${day}T14:30:00`, timeZone: 'UTC' },
  };
}

/** The reconciliation timer, run once per tick over a whole period, with the consumers at work. */
async function runTimerForOnePeriod(): Promise<void> {
  for (let elapsed = 0; elapsed <= reconciliationPeriodMs; elapsed += reconciliationTickMs) {
    advanceClocks(stack, reconciliationTickMs);
    await reconciliationFunction.handle(stack.services.watch, buildInvocationContext());
    await settle();
  }
}

beforeAll(async () => {
  stack = await startInProcessStack();
  tenantId = stack.graph.tenant.tenantId;
});

afterAll(async () => {
  await stack?.stop();
});

describe('reconciliation', () => {
  it('when every notification is dropped, then the timer alone decorates a new @webex meeting once and removes the record of a deleted one', async () => {
    const kept = await stack.services.calendar.createEvent(mailbox(), {
      subject: 'Cancelled later',
      location: { displayName: 'Room 4' },
      attendees: [{ emailAddress: { address: 'kenji@contoso.example' } }],
      ...slot(4),
    });
    await settle();
    expect(await hasRecord(kept.id)).toBe(true);
    stack.graph.subscriptions.dropRate = 1;
    const dropped = stack.graph.subscriptions.stats.dropped;
    const patchesBefore = patchCount();

    const created = await stack.services.calendar.createEvent(mailbox(), {
      subject: 'Missed by the webhook',
      location: { displayName: '@webex' },
      attendees: [{ emailAddress: { address: 'kenji@contoso.example' } }],
      ...slot(2),
    });
    await stack.services.calendar.deleteEvent(mailbox(), kept.id);
    await settle();
    expect(stack.graph.subscriptions.stats.dropped).toBeGreaterThan(dropped);
    expect(patchCount()).toBe(patchesBefore);
    expect(await hasRecord(created.id)).toBe(false);
    expect(await hasRecord(kept.id)).toBe(true);

    await runTimerForOnePeriod();

    const decorated = await stack.services.calendar.getEvent(mailbox(), created.id, {
      extendedPropertyIds: [markerPropertyId],
    });
    expect(readMarker(decorated)).toMatchObject({ kind: 'personal-room' });
    expect(decorated.body?.content?.match(/data-hybrid-calendar-join/g)).toHaveLength(1);
    expect(patchCount()).toBe(patchesBefore + 1);
    expect(await hasRecord(created.id)).toBe(true);
    expect(await hasRecord(kept.id)).toBe(false);

    // A further round finds everything handled: the consumer skips by change key, no second write.
    await requestReconciliation(stack.services.watch, mailbox(), 'scheduled', 'another-round');
    await settle();
    expect(patchCount()).toBe(patchesBefore + 1);
    stack.graph.subscriptions.dropRate = 0;
  });
});
