import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '../../dev/localStack.js';
import { meetingRecords } from '../../shared/meetings/meetingRecord.js';
import { enableUsers } from '../../shared/watch/enablement.js';
import { seedFaultsForEachTest } from '../support/faultSeed.js';
import { markerPropertyId, readMarker } from '../support/graphEventMarker.js';
import { advanceClocks, startInProcessStack } from '../support/inProcessStack.js';

// 300 events over 10 users while 10 % of Graph calls fail with 429 or 503 and notification batches
// are delivered twice: every keyword event is decorated exactly once, every record is there, and
// nothing lands on a dead-letter queue.
let stack: RunningLocalStack;
let tenantId: string;
let userIds: string[];

beforeAll(async () => {
  stack = await startInProcessStack();
  tenantId = stack.graph.tenant.tenantId;
  const added = stack.graph.addUsers(5, 'chaos');
  await enableUsers(
    stack.services.watch,
    tenantId,
    added.map((user) => user.id),
  );
  await stack.bus.idle();
  userIds = stack.graph.tenant.users.filter((user) => !user.isRoom).map((user) => user.id);
}, 60_000);

// The 429s, 503s and duplicates below are drawn from TEST_FAULT_SEED; a failure prints the seed.
seedFaultsForEachTest(() => [stack?.graph, stack?.webex]);

afterAll(async () => {
  await stack?.stop();
});

describe('event processing under faults', () => {
  it('when Graph throttles and fails 10 % of calls and notifications come twice, then each keyword event is decorated once and every record exists', async () => {
    expect(userIds).toHaveLength(9);
    const users = [...userIds, '1e0d4b8a-0101-4c3f-9a7e-5b6c7d8e9f11'];
    stack.graph.limiter.settings = {
      ...stack.graph.limiter.settings,
      throttleRate: 0.05,
      serverErrorRate: 0.05,
      retryAfterSeconds: 0.02,
    };
    stack.graph.subscriptions.duplicateRate = 0.3;
    stack.graph.limiter.reset();
    const mails = new Map(stack.graph.tenant.users.map((user) => [user.id, user.mail]));

    const created: Array<{ organizer: string; attendee: string; id: string; keyword: boolean }> = [];
    for (let index = 0; index < 300; index += 1) {
      const organizer = users[index % users.length] as string;
      const attendee = users[(index + 3) % users.length] as string;
      const keyword = index % 2 === 0;
      const day = new Date(stack.clock.now().getTime() + (1 + (index % 25)) * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const hour = String(8 + (index % 9)).padStart(2, '0');
      // Graph's own calls here go through the same faults: the gateway's retries see them through.
      const event = await stack.services.calendar.createEvent(
        { tenantId, userId: organizer },
        {
          subject: `Chaos ${index}`,
          body: { contentType: 'html', content: `<p>agenda ${index}</p>` },
          location: { displayName: keyword ? '@webex' : `Room ${index}` },
          attendees: [{ emailAddress: { address: mails.get(attendee) } }],
          start: { dateTime: `${day}T${hour}:00:00`, timeZone: 'UTC' },
          end: { dateTime: `${day}T${hour}:30:00`, timeZone: 'UTC' },
        },
      );
      created.push({ organizer, attendee, id: event.id, keyword });
    }
    for (let round = 0; round < 10; round += 1) {
      await stack.graph.subscriptions.settle();
      await stack.bus.idle();
    }
    // A change whose Graph calls failed past the gateway's own retries was scheduled again for later:
    // move the clock until none is left waiting.
    for (let round = 0; round < 20 && stack.bus.scheduledMessageCount('event-changes') > 0; round += 1) {
      advanceClocks(stack, 60_000);
      stack.bus.releaseDueMessages();
      await stack.bus.idle();
      await stack.graph.subscriptions.settle();
      await stack.bus.idle();
    }
    stack.graph.limiter.settings = { ...stack.graph.limiter.settings, throttleRate: 0, serverErrorRate: 0 };

    const patches = [...stack.graph.limiter.stats.values()].reduce(
      (sum, stats) => sum + (stats.byOperation['PATCH event'] ?? 0),
      0,
    );
    const faults = [...stack.graph.limiter.stats.values()].reduce(
      (sum, stats) => sum + stats.throttled + stats.injectedErrors,
      0,
    );
    let decoratedOnce = 0;
    for (const entry of created) {
      const event = await stack.services.calendar.getEvent({ tenantId, userId: entry.organizer }, entry.id, {
        extendedPropertyIds: [markerPropertyId],
      });
      const blocks = event.body?.content?.match(/data-hybrid-calendar-join/g)?.length ?? 0;
      if (entry.keyword && blocks === 1 && readMarker(event)?.kind === 'personal-room') decoratedOnce += 1;
      if (!entry.keyword) expect(blocks).toBe(0);
    }
    const records = (
      await stack.services.store.collection(meetingRecords).queryAll({
        text: "SELECT * FROM c WHERE STARTSWITH(c.updatedAt, '20')",
      })
    ).length;
    const dead = ['event-changes', 'user-activation', 'subscription-lifecycle'].flatMap((queue) =>
      stack.bus.deadLetterQueue(queue),
    );

    console.log(
      `chaos: ${faults} injected 429/503, ${stack.graph.subscriptions.stats.duplicated} duplicated notifications, ${patches} PATCHes for 150 keyword events, ${records} records`,
    );
    expect(faults).toBeGreaterThan(50);
    expect(decoratedOnce).toBe(150);
    expect(patches).toBe(150);
    expect(records).toBeGreaterThanOrEqual(600);
    expect(dead).toEqual([]);
  }, 240_000);
});
