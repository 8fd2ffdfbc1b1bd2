import { describe, expect, it } from 'vitest';
import {
  derivePresence,
  maxPlannedBoundaries,
  type PresenceReading,
  upcomingBoundaries,
} from '../../../shared/presence/presenceReading.js';
import { presencePollTickMs } from '../../../shared/presence/presenceTracking.js';
import { slotTimeBetween } from '../../../shared/watch/reconciliation.js';
import { reconciliationSlotOf } from '../../../shared/watch/reconciliationSlot.js';

const hour = 3_600_000;
const t0 = Date.parse('2026-03-02T09:00:00Z');

function buildReading(overrides: Partial<PresenceReading> = {}): PresenceReading {
  return { automaticReplies: { status: 'disabled' }, outOfOfficeEvents: [], ...overrides };
}

const scheduled = (startMs: number, endMs: number): PresenceReading['automaticReplies'] => ({
  status: 'scheduled',
  window: { startMs, endMs },
});

describe('derivePresence', () => {
  it('when automatic replies are disabled and no event is out of office, then the user is in office since now', () => {
    expect(derivePresence(buildReading(), t0)).toEqual({
      state: 'in-office',
      signal: 'automatic-replies',
      sinceMs: t0,
    });
  });

  it('when automatic replies are always on, then the user is out of office by the automatic replies', () => {
    expect(derivePresence(buildReading({ automaticReplies: { status: 'alwaysEnabled' } }), t0)).toEqual({
      state: 'out-of-office',
      signal: 'automatic-replies',
      sinceMs: t0,
    });
  });

  it('when a scheduled window covers now, then out of office since its start; its end is exclusive', () => {
    const reading = buildReading({ automaticReplies: scheduled(t0 - hour, t0 + hour) });

    expect(derivePresence(reading, t0)).toEqual({
      state: 'out-of-office',
      signal: 'automatic-replies',
      sinceMs: t0 - hour,
    });
    expect(derivePresence(reading, t0 - hour).state).toBe('out-of-office');
    expect(derivePresence(reading, t0 + hour)).toEqual({
      state: 'in-office',
      signal: 'automatic-replies',
      sinceMs: t0 + hour,
    });
  });

  it('when a scheduled window has not started, then the user is in office', () => {
    expect(
      derivePresence(buildReading({ automaticReplies: scheduled(t0 + hour, t0 + 2 * hour) }), t0).state,
    ).toBe('in-office');
  });

  it('when only an event shown as out of office covers now, then out of office by the calendar event', () => {
    const reading = buildReading({
      outOfOfficeEvents: [
        { startMs: t0 - 2 * hour, endMs: t0 + hour },
        { startMs: t0 - hour, endMs: t0 + 2 * hour },
      ],
    });

    expect(derivePresence(reading, t0)).toEqual({
      state: 'out-of-office',
      signal: 'calendar-event',
      sinceMs: t0 - 2 * hour,
    });
  });

  it('when both signals say out of office, then the automatic replies are named', () => {
    const reading = buildReading({
      automaticReplies: scheduled(t0 - hour, t0 + hour),
      outOfOfficeEvents: [{ startMs: t0 - 2 * hour, endMs: t0 + hour }],
    });

    expect(derivePresence(reading, t0).signal).toBe('automatic-replies');
  });

  it('when both windows have ended, then in office since the later end', () => {
    const reading = buildReading({
      automaticReplies: scheduled(t0 - 3 * hour, t0 - 2 * hour),
      outOfOfficeEvents: [{ startMs: t0 - 2 * hour, endMs: t0 - hour }],
    });

    expect(derivePresence(reading, t0)).toEqual({
      state: 'in-office',
      signal: 'calendar-event',
      sinceMs: t0 - hour,
    });
  });
});

describe('upcomingBoundaries', () => {
  it('when windows start and end later, then each future start and end is listed once, in order', () => {
    const reading = buildReading({
      automaticReplies: scheduled(t0 + hour, t0 + 3 * hour),
      outOfOfficeEvents: [
        { startMs: t0 - hour, endMs: t0 + hour },
        { startMs: t0 + 2 * hour, endMs: t0 + 4 * hour },
      ],
    });

    expect(upcomingBoundaries(reading, t0)).toEqual([t0 + hour, t0 + 2 * hour, t0 + 3 * hour, t0 + 4 * hour]);
  });

  it('when automatic replies are not scheduled and no event is out of office, then nothing is planned', () => {
    expect(upcomingBoundaries(buildReading({ automaticReplies: { status: 'alwaysEnabled' } }), t0)).toEqual(
      [],
    );
  });

  it('when there are many events, then at most the first few boundaries are planned', () => {
    const events = Array.from({ length: 20 }, (_, index) => ({
      startMs: t0 + (2 * index + 1) * hour,
      endMs: t0 + (2 * index + 2) * hour,
    }));

    expect(upcomingBoundaries(buildReading({ outOfOfficeEvents: events }), t0)).toHaveLength(
      maxPlannedBoundaries,
    );
  });
});

describe('poll slots', () => {
  const period = 15 * 60_000;

  it("when ticks cover a whole period, then each user's slot comes round exactly once", () => {
    const users = Array.from({ length: 200 }, (_, index) => ({
      tenantId: 'tenant-a',
      userId: `user-${index}`,
    }));
    const start = t0;
    const counts = new Map<string, number>();
    for (let from = start; from < start + period; from += presencePollTickMs) {
      for (const user of users) {
        if (slotTimeBetween(user, new Date(from), new Date(from + presencePollTickMs), period))
          counts.set(user.userId, (counts.get(user.userId) ?? 0) + 1);
      }
    }

    expect(counts.size).toBe(users.length);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it('when the same user is asked again, with other letter case, then the slot is the same', () => {
    expect(reconciliationSlotOf('Tenant-A', 'USER-1', period)).toBe(
      reconciliationSlotOf('tenant-a', 'user-1', period),
    );
  });

  it('when 1,000 users are slotted, then every minute of the period holds some and none holds a fifth', () => {
    const perMinute = new Array<number>(15).fill(0);
    for (let index = 0; index < 1_000; index += 1) {
      const minute = Math.floor(reconciliationSlotOf('tenant-a', `user-${index}`, period) / 60_000);
      perMinute[minute] = (perMinute[minute] ?? 0) + 1;
    }

    expect(Math.min(...perMinute)).toBeGreaterThan(0);
    expect(Math.max(...perMinute)).toBeLessThan(200);
  });
});
