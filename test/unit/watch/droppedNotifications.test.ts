import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/time/clock.js';
import { DroppedNotificationSummary } from '../../../shared/watch/droppedNotifications.js';

const contoso = '8f1c2d3e-0000-4000-8000-000000000001';
const fabrikam = '8f1c2d3e-0000-4000-8000-000000000002';

describe('DroppedNotificationSummary', () => {
  it('when drops arrive within a minute, then no line is due and they are tallied per tenant', () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    const summary = new DroppedNotificationSummary(clock);

    const lines = [
      summary.record(contoso, 'forged'),
      summary.record(contoso, 'forged'),
      summary.record(fabrikam, 'malformed'),
    ];
    clock.advanceBy(59_000);
    lines.push(summary.record(contoso.toUpperCase(), 'malformed'));

    expect(lines).toEqual([undefined, undefined, undefined, undefined]);
    expect(summary.tally()).toEqual({
      [contoso]: { forged: 2, malformed: 1 },
      [fabrikam]: { forged: 0, malformed: 1 },
    });
  });

  it('when the minute has passed, then the next drop hands out one line for it and a new minute starts', () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    const summary = new DroppedNotificationSummary(clock);
    for (let i = 0; i < 1_000; i += 1) summary.record(contoso, 'forged');
    summary.record(undefined, 'malformed');

    clock.advanceBy(60_000);
    const line = summary.record(fabrikam, 'forged');
    const next = summary.record(fabrikam, 'forged');

    expect(line).toBe(
      `dropped webhook notifications in the minute from 2026-11-22T10:00:00.000Z: (none): 0 forged, 1 malformed; ${contoso}: 1000 forged, 0 malformed`,
    );
    expect(next).toBeUndefined();
    expect(summary.tally()).toEqual({ [fabrikam]: { forged: 2, malformed: 0 } });
  });

  it('when senders name junk or thousands of tenants, then the tally stays small', () => {
    const clock = new ManualClock('2026-11-22T10:00:00Z');
    const summary = new DroppedNotificationSummary(clock);

    summary.record('x'.repeat(100_000), 'forged');
    for (let i = 0; i < 5_000; i += 1) {
      summary.record(`8f1c2d3e-0000-4000-8000-${String(i).padStart(12, '0')}`, 'forged');
    }

    const tally = summary.tally();
    expect(Object.keys(tally).length).toBeLessThanOrEqual(101);
    expect(tally['(not a tenant id)']).toEqual({ forged: 1, malformed: 0 });
    expect(tally['(other tenants)']?.forged).toBe(5_000 - 99);
  });
});
