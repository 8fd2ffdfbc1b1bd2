import { describe, expect, it } from 'vitest';
import type { MessageBus, OutgoingMessage, SequenceNumber } from '../../../shared/bus/messageBus.js';
import { queueNames, sessionIdForMailbox } from '../../../shared/bus/queues.js';
import type { TimeWindow } from '../../../shared/calendar/mailbox.js';
import { AppError } from '../../../shared/errors.js';
import { Counters } from '../../../shared/observability/counters.js';
import type { PresenceContext } from '../../../shared/presence/presenceContext.js';
import type { PresenceChange, PresencePublisher } from '../../../shared/presence/presencePublisher.js';
import type { PresenceReading } from '../../../shared/presence/presenceReading.js';
import type { PresenceReadingResult, PresenceSource } from '../../../shared/presence/presenceSource.js';
import {
  applyPresenceReading,
  evaluatePresenceAt,
  type PresenceTransitionMessage,
  pollDuePresence,
  presencePollTickMs,
  presenceTransitionMessageSchema,
} from '../../../shared/presence/presenceTracking.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { InMemoryPresenceStates } from '../../support/fakes/inMemoryPresenceStates.js';
import { InMemoryWatchedUsers } from '../../support/fakes/inMemoryWatchedUsers.js';
import { buildWatchedUser, watchTenantId, watchUserId } from '../../support/watchBuilders.js';

const minute = 60_000;
const hour = 60 * minute;
const start = Date.parse('2026-03-02T08:00:00Z');
const mailbox = { tenantId: watchTenantId, userId: watchUserId };

/** The scheduling side of the bus in memory: what is scheduled, for when, and what was cancelled. */
class ScheduledMessages implements Pick<MessageBus, 'schedule' | 'cancelScheduled'> {
  readonly pending = new Map<SequenceNumber, { message: OutgoingMessage; at: Date; queue: string }>();
  #next = 1n;

  async schedule(queue: string, message: OutgoingMessage, at: Date): Promise<SequenceNumber> {
    const sequenceNumber = this.#next++;
    this.pending.set(sequenceNumber, { message, at, queue });
    return sequenceNumber;
  }

  async cancelScheduled(_queue: string, sequenceNumber: SequenceNumber): Promise<void> {
    if (!this.pending.delete(sequenceNumber)) throw new AppError('message-not-scheduled', 'not scheduled');
  }

  times(): string[] {
    return [...this.pending.values()].map((entry) => entry.at.toISOString()).sort();
  }

  /** Takes the messages due by `now`, as Service Bus would enqueue them. */
  due(now: Date): PresenceTransitionMessage[] {
    const due = [...this.pending].filter(([, entry]) => entry.at <= now);
    for (const [sequenceNumber] of due) this.pending.delete(sequenceNumber);
    return due.map(([, entry]) => presenceTransitionMessageSchema.parse(entry.message.body));
  }
}

class RecordingPublisher implements PresencePublisher {
  readonly changes: PresenceChange[] = [];
  failNext = 0;

  async publishPresence(change: PresenceChange): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new AppError('dependency-unavailable', 'channel down');
    }
    this.changes.push(change);
  }
}

class FixedSource implements PresenceSource {
  readonly readings = new Map<string, PresenceReading>();
  readonly requests: Array<{ tenantId: string; userIds: readonly string[]; window: TimeWindow }> = [];

  async readPresence(tenantId: string, userIds: readonly string[], window: TimeWindow) {
    this.requests.push({ tenantId, userIds, window });
    return new Map<string, PresenceReadingResult>(
      userIds.map((userId) => [
        userId,
        {
          outcome: 'read',
          reading: this.readings.get(userId) ?? {
            automaticReplies: { status: 'disabled' },
            outOfOfficeEvents: [],
          },
        },
      ]),
    );
  }
}

function buildPresence() {
  const clock = new ManualClock(new Date(start));
  const users = new InMemoryWatchedUsers(clock);
  users.seed(buildWatchedUser({ state: 'activated' }));
  const bus = new ScheduledMessages();
  const publisher = new RecordingPublisher();
  const states = new InMemoryPresenceStates();
  const source = new FixedSource();
  const context: PresenceContext = {
    users,
    source,
    states,
    bus,
    publisher,
    clock,
    counters: new Counters(),
    pollPeriodMs: 15 * minute,
  };
  const deliverDue = async () => {
    for (const message of bus.due(clock.now())) await evaluatePresenceAt(context, message);
  };
  return { clock, users, bus, publisher, states, source, context, deliverDue };
}

const scheduledReplies = (fromMs: number, toMs: number): PresenceReading => ({
  automaticReplies: { status: 'scheduled', window: { startMs: fromMs, endMs: toMs } },
  outOfOfficeEvents: [],
});

describe('out-of-office presence', () => {
  it('when a scheduled window lies ahead, then its start and end are scheduled on the mailbox session and nothing is published', async () => {
    const { context, bus, publisher } = buildPresence();

    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));

    expect(publisher.changes).toEqual([]);
    expect(bus.times()).toEqual([
      new Date(start + hour).toISOString(),
      new Date(start + 3 * hour).toISOString(),
    ]);
    const sent = [...bus.pending.values()];
    expect(sent.every((entry) => entry.queue === queueNames.presenceTransitions)).toBe(true);
    expect(sent.every((entry) => entry.message.sessionId === sessionIdForMailbox(mailbox))).toBe(true);
  });

  it('when the start and end come, then out of office and in office are published at those exact times, once each', async () => {
    const { context, clock, publisher, deliverDue } = buildPresence();
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));

    clock.advanceBy(hour);
    await deliverDue();
    // A poll in the middle of the window, and the start delivered again: nothing new.
    clock.advanceBy(hour);
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));
    await evaluatePresenceAt(context, {
      version: 1,
      ...mailbox,
      at: new Date(start + hour).toISOString(),
    });
    clock.advanceBy(hour);
    await deliverDue();

    expect(publisher.changes).toEqual([
      {
        tenantId: watchTenantId,
        userId: watchUserId,
        state: 'out-of-office',
        at: new Date(start + hour).toISOString(),
        signal: 'automatic-replies',
      },
      {
        tenantId: watchTenantId,
        userId: watchUserId,
        state: 'in-office',
        at: new Date(start + 3 * hour).toISOString(),
        signal: 'automatic-replies',
      },
    ]);
  });

  it('when the start is seen by a poll late and by its message, then one change is published with the start time', async () => {
    const { context, clock, publisher, deliverDue } = buildPresence();
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));

    clock.advanceBy(hour + 5 * minute);
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));
    await deliverDue();

    expect(publisher.changes).toHaveLength(1);
    expect(publisher.changes[0]?.at).toBe(new Date(start + hour).toISOString());
  });

  it('when the same reading is polled again, then nothing is written, scheduled or published', async () => {
    const { context, bus, states, publisher } = buildPresence();
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));
    const writes = states.writes;

    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));

    expect(states.writes).toBe(writes);
    expect(bus.pending.size).toBe(2);
    expect(publisher.changes).toEqual([]);
  });

  it('when the window moves, then the old messages are cancelled and the new times scheduled', async () => {
    const { context, bus, clock, publisher, deliverDue } = buildPresence();
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));

    await applyPresenceReading(context, mailbox, scheduledReplies(start + 2 * hour, start + 4 * hour));

    expect(bus.times()).toEqual([
      new Date(start + 2 * hour).toISOString(),
      new Date(start + 4 * hour).toISOString(),
    ]);
    clock.advanceBy(hour);
    await deliverDue();
    expect(publisher.changes).toEqual([]);
    expect(context.counters.get('presence.transition-cancelled')).toBe(2);
  });

  it('when the automatic replies are turned off before the window, then its messages are cancelled and nothing is published', async () => {
    const { context, bus, clock, publisher, deliverDue } = buildPresence();
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));

    await applyPresenceReading(context, mailbox, {
      automaticReplies: { status: 'disabled' },
      outOfOfficeEvents: [],
    });
    clock.advanceBy(4 * hour);
    await deliverDue();

    expect(bus.pending.size).toBe(0);
    expect(publisher.changes).toEqual([]);
  });

  it('when only an event shown as out of office covers now, then out of office by the calendar event, in office at its end', async () => {
    const { context, clock, publisher, deliverDue } = buildPresence();

    await applyPresenceReading(context, mailbox, {
      automaticReplies: { status: 'disabled' },
      outOfOfficeEvents: [{ startMs: start - hour, endMs: start + hour }],
    });
    clock.advanceBy(hour);
    await deliverDue();

    expect(publisher.changes.map((change) => [change.state, change.signal, change.at])).toEqual([
      ['out-of-office', 'calendar-event', new Date(start - hour).toISOString()],
      ['in-office', 'calendar-event', new Date(start + hour).toISOString()],
    ]);
  });

  it('when the channel fails, then the change is kept and published by the next writer, still once', async () => {
    const { context, publisher } = buildPresence();
    publisher.failNext = 1;

    await expect(
      applyPresenceReading(context, mailbox, {
        automaticReplies: { status: 'alwaysEnabled' },
        outOfOfficeEvents: [],
      }),
    ).rejects.toThrow('channel down');
    await applyPresenceReading(context, mailbox, {
      automaticReplies: { status: 'alwaysEnabled' },
      outOfOfficeEvents: [],
    });
    await applyPresenceReading(context, mailbox, {
      automaticReplies: { status: 'alwaysEnabled' },
      outOfOfficeEvents: [],
    });

    expect(publisher.changes.map((change) => change.state)).toEqual(['out-of-office']);
  });

  it('when another writer claims the transition between read and write, then it is published once', async () => {
    const { context, states, publisher } = buildPresence();
    const reading: PresenceReading = { automaticReplies: { status: 'alwaysEnabled' }, outOfOfficeEvents: [] };
    states.interleaveBeforeNextWrite(async () => {
      await applyPresenceReading(context, mailbox, reading);
    });

    await applyPresenceReading(context, mailbox, reading);

    expect(publisher.changes.map((change) => change.state)).toEqual(['out-of-office']);
  });

  it('when the user is no longer activated, then a transition message publishes nothing', async () => {
    const { context, users, clock, publisher, bus } = buildPresence();
    await applyPresenceReading(context, mailbox, scheduledReplies(start + hour, start + 3 * hour));
    users.seed(buildWatchedUser({ state: 'not-activated' }));

    clock.advanceBy(hour);
    const outcomes = await Promise.all(
      bus.due(clock.now()).map((message) => evaluatePresenceAt(context, message)),
    );

    expect(outcomes).toEqual([{ outcome: 'skipped', reason: 'not-activated' }]);
    expect(publisher.changes).toEqual([]);
  });

  it('when the poll timer runs through a whole period, then each activated user is read once, per tenant together', async () => {
    const { context, users, clock, source } = buildPresence();
    const tenants = ['tenant-a', 'tenant-b'];
    for (let index = 0; index < 60; index += 1)
      users.seed(
        buildWatchedUser({
          tenantId: tenants[index % 2] ?? 'tenant-a',
          id: `user-${index}`,
          state: 'activated',
        }),
      );
    users.seed(buildWatchedUser({ tenantId: 'tenant-a', id: 'not-yet', state: 'not-activated' }));

    let polled = 0;
    for (let tick = 0; tick < 15; tick += 1) {
      clock.advanceBy(presencePollTickMs);
      polled += (await pollDuePresence(context)).polled;
    }

    expect(polled).toBe(61);
    const read = source.requests.flatMap((request) => request.userIds);
    expect(new Set(read).size).toBe(61);
    expect(read).not.toContain('not-yet');
    expect(
      source.requests.every(
        (request) => new Set(request.userIds.map((id) => id)).size === request.userIds.length,
      ),
    ).toBe(true);
  });
});

describe('publishing inside the poll timer', () => {
  it('when a channel hangs, then the run ends after its publish budget, the changes stay pending, and the next writer publishes them', async () => {
    const { context, users, clock, states, publisher } = buildPresence();
    for (let index = 0; index < 6; index += 1)
      users.seed(buildWatchedUser({ id: `user-${index}`, state: 'activated' }));
    const onLeave: PresenceReading = { automaticReplies: { status: 'alwaysEnabled' }, outOfOfficeEvents: [] };
    (context.source as FixedSource).readings.set(watchUserId, onLeave);
    for (let index = 0; index < 6; index += 1)
      (context.source as FixedSource).readings.set(`user-${index}`, onLeave);
    const started: PresenceChange[] = [];
    const hanging: PresencePublisher = {
      publishPresence: (change) => {
        started.push(change);
        return new Promise(() => undefined);
      },
    };

    let polled = 0;
    for (let tick = 0; tick < 15; tick += 1) {
      clock.advanceBy(presencePollTickMs);
      polled += (await pollDuePresence({ ...context, publisher: hanging }, presencePollTickMs, 10)).polled;
    }

    // Every user was read and written; in each run only the first change was handed to the hanging
    // channel, the others waited in their documents.
    expect(polled).toBe(7);
    const documents = await Promise.all(
      [watchUserId, ...Array.from({ length: 6 }, (_, index) => `user-${index}`)].map((userId) =>
        states.find({ tenantId: watchTenantId, userId }),
      ),
    );
    expect(documents.every((document) => document?.state === 'out-of-office')).toBe(true);
    expect(documents.every((document) => document?.unpublished?.state === 'out-of-office')).toBe(true);
    expect(started.length).toBeLessThan(7);
    expect(context.counters.get('presence.publish-deferred')).toBe(7);

    // The channel is back: the next poll of each user publishes what waited.
    for (let tick = 0; tick < 15; tick += 1) {
      clock.advanceBy(presencePollTickMs);
      await pollDuePresence(context);
    }
    expect(publisher.changes.filter((change) => change.state === 'out-of-office')).toHaveLength(7);
  });
});

describe('a channel that refuses for good', () => {
  it('when the publisher fails permanently (an endpoint answering 4xx), then the poll counts it and keeps the change pending instead of failing the timer', async () => {
    const { context, clock, states } = buildPresence();
    (context.source as FixedSource).readings.set(watchUserId, {
      automaticReplies: { status: 'alwaysEnabled' },
      outOfOfficeEvents: [],
    });
    const refusing: PresencePublisher = {
      publishPresence: async () => {
        throw new AppError(
          'request-rejected',
          'CloudEvents: 1 endpoint(s) refused (hooks.example: answered 400)',
        );
      },
    };
    let failed = 0;
    for (let tick = 0; tick < 15; tick += 1) {
      clock.advanceBy(presencePollTickMs);
      failed += (await pollDuePresence({ ...context, publisher: refusing })).failed;
    }
    expect(failed).toBe(1);
    expect((await states.find(mailbox))?.unpublished?.state).toBe('out-of-office');
  });
});
