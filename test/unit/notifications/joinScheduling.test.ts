import { describe, expect, it } from 'vitest';
import type { MeetingDetails, MeetingRecord } from '../../../shared/meetings/meetingRecord.js';
import { joinDueMessageSchema } from '../../../shared/notifications/joinMessages.js';
import { JoinNotificationScheduler } from '../../../shared/notifications/joinScheduler.js';
import {
  integrationsRecipient,
  personKey,
  planJoinNotifications,
  roomKey,
  scheduleChanges,
} from '../../../shared/notifications/joinScheduling.js';
import {
  buildMeetingDetails,
  buildNotifications,
  buildRecord,
  type NotificationsHarness,
} from '../../support/notificationsBuilders.js';

/** Saves a record the way meetingRecordSync does: previous read, scheduled, saved, rooms told. */
async function save(
  harness: NotificationsHarness,
  details: MeetingDetails,
  overrides: Partial<MeetingRecord> = {},
): Promise<MeetingRecord> {
  const scheduler = new JoinNotificationScheduler(harness.context);
  const record = await buildRecord(harness, details, overrides);
  const previous = await harness.records.find(record.userId, record.id);
  const saved = { ...record, ...(await scheduler.beforeSave(record, details, previous)) };
  await harness.records.save(saved);
  await scheduler.afterSave(saved, details, previous);
  return saved;
}

function scheduledFor(harness: NotificationsHarness) {
  return [...harness.bus.scheduled.values()].map((entry) => ({
    at: entry.enqueueAt.toISOString(),
    ...joinDueMessageSchema.parse(entry.message.body),
  }));
}

describe('planning Join notifications', () => {
  const now = new Date('2026-11-23T08:00:00Z');
  const start = new Date('2026-11-23T09:00:00Z');

  it('when the organiser’s copy has a join address, then the organiser, each invitee who has not declined and the integrations are due at start minus the lead time; rooms are not', () => {
    const details = buildMeetingDetails({
      invitees: [
        ...buildMeetingDetails().invitees,
        { name: 'Ayşe', address: 'ayse@contoso.example', type: 'required', response: 'declined' },
      ],
    });
    const plan = planJoinNotifications({ start, details, leadTimeMinutes: 5, now });
    expect(plan).toEqual({
      start: start.toISOString(),
      dueAt: '2026-11-23T08:55:00.000Z',
      recipients: [
        personKey('alice@contoso.example'),
        personKey('bjorn@contoso.example'),
        personKey('kenji@contoso.example'),
        integrationsRecipient,
      ],
    });
  });

  it.each([
    ['an attendee’s copy', { isOrganizer: false }],
    ['no join address', { join: null }],
    ['an all-day event', { isAllDay: true }],
  ] as const)('when the record is %s, then nothing is planned', (_, overrides) => {
    expect(
      planJoinNotifications({ start, details: buildMeetingDetails(overrides), leadTimeMinutes: 5, now }),
    ).toBeNull();
  });

  it('when the meeting has started, then nothing is planned', () => {
    expect(
      planJoinNotifications({ start, details: buildMeetingDetails(), leadTimeMinutes: 5, now: start }),
    ).toBeNull();
  });

  it('when only an invitee declined since, then only that invitee’s message is cancelled', () => {
    const before = {
      start: start.toISOString(),
      dueAt: '2026-11-23T08:55:00.000Z',
      messages: [
        { recipient: 'person:a', sequenceNumber: '1' },
        { recipient: 'person:b', sequenceNumber: '2' },
      ],
    };
    const plan = { start: before.start, dueAt: before.dueAt, recipients: ['person:a'] };
    expect(scheduleChanges(before, plan)).toEqual({
      cancel: [{ recipient: 'person:b', sequenceNumber: '2' }],
      keep: [{ recipient: 'person:a', sequenceNumber: '1' }],
      add: [],
    });
  });

  it('when the lead time changed, then every message is scheduled anew', () => {
    const before = {
      start: start.toISOString(),
      dueAt: '2026-11-23T08:55:00.000Z',
      messages: [{ recipient: 'person:a', sequenceNumber: '1' }],
    };
    const plan = { start: before.start, dueAt: '2026-11-23T08:50:00.000Z', recipients: ['person:a'] };
    expect(scheduleChanges(before, plan)).toEqual({ cancel: before.messages, keep: [], add: ['person:a'] });
  });
});

describe('scheduling as records are written', () => {
  it('when a meeting record is saved, then one message per recipient is scheduled for start minus 5 minutes and the record keeps their sequence numbers, sealed', async () => {
    const harness = buildNotifications();
    const saved = await save(harness, buildMeetingDetails());

    const scheduled = scheduledFor(harness);
    expect(scheduled).toHaveLength(4);
    expect(new Set(scheduled.map((message) => message.at))).toEqual(new Set(['2026-11-23T08:55:00.000Z']));
    expect(scheduled.every((message) => message.start === '2026-11-23T09:00:00.000Z')).toBe(true);
    expect(saved.joinSchedule).toBeTruthy();
    expect(JSON.stringify(saved)).not.toContain('bjorn@');
    expect(saved.roomKeys).toHaveLength(1);
    expect(harness.bus.sent.map((sent) => sent.message.body)).toEqual([
      { kind: 'room-bookings', tenantId: 'tenant-1', roomAddress: 'boardroom@contoso.example' },
    ]);
  });

  it('when the same record is saved again unchanged, then nothing is cancelled or scheduled', async () => {
    const harness = buildNotifications();
    await save(harness, buildMeetingDetails());
    await save(harness, buildMeetingDetails());
    expect(harness.bus.cancelled).toEqual([]);
    expect(harness.bus.scheduled.size).toBe(4);
  });

  it('when the meeting moves an hour, then its messages are cancelled and scheduled again for the new start', async () => {
    const harness = buildNotifications();
    await save(harness, buildMeetingDetails());
    await save(harness, buildMeetingDetails(), {
      start: '2026-11-23T10:00:00.000Z',
      end: '2026-11-23T10:30:00.000Z',
    });
    expect(harness.bus.cancelled).toHaveLength(4);
    expect(new Set(scheduledFor(harness).map((message) => message.at))).toEqual(
      new Set(['2026-11-23T09:55:00.000Z']),
    );
  });

  it('when an invitee declines, then only their message is cancelled', async () => {
    const harness = buildNotifications();
    await save(harness, buildMeetingDetails());
    const declined = buildMeetingDetails();
    declined.invitees[0] = {
      ...(declined.invitees[0] as MeetingDetails['invitees'][number]),
      response: 'declined',
    };
    await save(harness, declined);
    expect(harness.bus.cancelled).toHaveLength(1);
    expect(scheduledFor(harness).map((message) => message.recipient)).not.toContain(
      personKey('bjorn@contoso.example'),
    );
    expect(harness.bus.scheduled.size).toBe(3);
  });

  it('when the record is removed (cancelled or deleted), then every message is cancelled', async () => {
    const harness = buildNotifications();
    const saved = await save(harness, buildMeetingDetails());
    await harness.records.remove(saved.userId, saved.id);
    await new JoinNotificationScheduler(harness.context).afterRemove(saved);
    expect(harness.bus.scheduled.size).toBe(0);
    expect(harness.bus.cancelled).toHaveLength(4);
  });

  it('when a message was delivered already and the record changes, then the cancel that finds nothing is no failure', async () => {
    const harness = buildNotifications();
    await save(harness, buildMeetingDetails());
    harness.bus.release(new Date('2026-11-23T08:55:00Z'));
    await expect(
      save(harness, buildMeetingDetails(), {
        start: '2026-11-23T10:00:00.000Z',
        end: '2026-11-23T10:30:00.000Z',
      }),
    ).resolves.toBeTruthy();
    expect(harness.bus.scheduled.size).toBe(4);
  });

  it('when the meeting is days ahead, then its room is due a rebuild when the meeting enters the booking list (a minute after start minus 24 hours)', async () => {
    const harness = buildNotifications({ now: '2026-11-20T08:00:00Z' });
    await save(harness, buildMeetingDetails());
    const room = scheduledFor(harness).filter(
      (message) => message.recipient === roomKey('boardroom@contoso.example'),
    );
    expect(room).toEqual([expect.objectContaining({ at: '2026-11-22T09:01:00.000Z' })]);
    expect(harness.bus.sent).toEqual([]);
    expect(harness.bus.scheduled.size).toBe(5);
  });

  it('when the due time has passed but the meeting has not started, then the messages go at once', async () => {
    const harness = buildNotifications({ now: '2026-11-23T08:58:00Z' });
    await save(harness, buildMeetingDetails());
    expect(new Set(scheduledFor(harness).map((message) => message.at))).toEqual(
      new Set(['2026-11-23T08:58:00.000Z']),
    );
  });
});
