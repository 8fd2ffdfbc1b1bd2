import { describe, expect, it } from 'vitest';
import { readMarker } from '../../../shared/meetings/decoration.js';
import { currentJoinBlock } from '../../../shared/meetings/joinBlock.js';
import { JoinServiceRecovery } from '../../../shared/meetings/joinServiceRecovery.js';
import { keyOf, type MeetingRecord } from '../../../shared/meetings/meetingRecord.js';
import { processEventChange } from '../../../shared/meetings/processEventChange.js';
import {
  alice,
  aliceId,
  buildCalendarEvent,
  buildEventChange,
  buildMeetings,
  meetingsStart,
  meetingsTenantId,
} from '../../support/meetingsBuilders.js';
import { buildWatchedUser } from '../../support/watchBuilders.js';

const day = 86_400_000;

function buildRecord(overrides: Partial<MeetingRecord> = {}): MeetingRecord {
  return {
    id: keyOf('AAMkAGI2-event-1='),
    userId: aliceId,
    tenantId: meetingsTenantId,
    start: '2026-11-23T09:00:00.000Z',
    end: '2026-11-23T09:30:00.000Z',
    state: 'scheduled',
    seriesKey: null,
    ttl: 3_600,
    sealed: { alg: 'A256GCM', dataKeyId: `${aliceId}.1`, iv: 'x', ciphertext: 'x', tag: 'x' },
    updatedAt: meetingsStart,
    ...overrides,
  };
}

describe('processing a change to an event', () => {
  it('when the organiser puts @webex in Location, then the event is decorated once and the decision traced with its change key', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: 'Room 12; @webex' }));

    const outcome = await processEventChange(meetings.context, buildEventChange({ changeKey: 'change-0' }));

    const written = meetings.calendar.event(alice, 'AAMkAGI2-event-1=');
    expect(outcome).toBe('decorated');
    expect(meetings.calendar.writes).toHaveLength(1);
    expect(meetings.calendar.writes[0]?.ifVersion).toBe('W/"change-0"');
    expect(currentJoinBlock(written?.body ?? { contentType: 'html', content: '' })).toContain(
      'https://contoso.webex.com/meet/alice',
    );
    expect(written?.body.content).toContain('<p>Agenda: budget</p>');
    expect(readMarker(written ?? { decorationMarker: null })).toMatchObject({
      kind: 'personal-room',
      lang: 'en',
    });
    expect(await meetings.traceOf('AAMkAGI2-event-1=')).toMatchObject({
      entries: [
        {
          at: meetingsStart,
          source: 'notification',
          changeType: 'updated',
          outcome: 'decorated',
          rule: 'keyword @webex',
          language: 'en',
          graph: 'PATCH 200',
          detail: null,
        },
      ],
      lastChangeKey: written?.changeKey,
    });
    expect((await meetings.recordOf('AAMkAGI2-event-1='))?.join).toEqual({
      link: 'https://contoso.webex.com/meet/alice',
      sipAddress: 'alice@contoso.webex.com',
    });
    expect(meetings.counters.get('events.decorated')).toBe(1);
  });

  it('when the decorated event changes again, then it is recorded and not written a second time', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    await processEventChange(meetings.context, buildEventChange());
    const decorated = meetings.calendar.event(alice, 'AAMkAGI2-event-1=');
    meetings.calendar.put(alice, {
      ...buildCalendarEvent(decorated),
      subject: 'Planning (moved)',
      version: 'W/"edited"',
      changeKey: 'edited',
    });

    const outcome = await processEventChange(meetings.context, buildEventChange({ changeKey: 'edited' }));

    expect(outcome).toBe('recorded');
    expect(meetings.calendar.writes).toHaveLength(1);
    expect((await meetings.recordOf('AAMkAGI2-event-1='))?.subject).toBe('Planning (moved)');
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries.map((entry) => entry.rule)).toEqual([
      'keyword @webex',
      'keyword @webex: already decorated',
    ]);
  });

  it('when the notification of our own write arrives, then it is skipped by its change key without reading the event', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    await processEventChange(meetings.context, buildEventChange());
    const echo = buildEventChange({
      changeKey: meetings.calendar.event(alice, 'AAMkAGI2-event-1=')?.changeKey,
    });
    const readsBefore = meetings.calendar.reads.length;

    const outcome = await processEventChange(meetings.context, echo);

    expect(outcome).toBe('ignored');
    expect(meetings.calendar.reads).toHaveLength(readsBefore);
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries).toHaveLength(1);
    expect(meetings.counters.get('events.skipped.already-handled')).toBe(1);
  });

  it('when the keyword is removed, then the join block is removed and the marker says none', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    await processEventChange(meetings.context, buildEventChange());
    const decorated = meetings.calendar.event(alice, 'AAMkAGI2-event-1=');
    meetings.calendar.put(alice, {
      ...buildCalendarEvent(decorated),
      location: 'Room 12',
      version: 'W/"edited"',
      changeKey: 'edited',
    });

    const outcome = await processEventChange(meetings.context, buildEventChange({ changeKey: 'edited' }));

    const after = meetings.calendar.event(alice, 'AAMkAGI2-event-1=');
    expect(outcome).toBe('undecorated');
    expect(after?.body.content).toBe('<html><body><p>Agenda: budget</p></body></html>');
    expect(readMarker(after ?? { decorationMarker: null })?.kind).toBe('none');
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries.at(-1)).toMatchObject({
      outcome: 'undecorated',
      rule: 'keyword removed',
      graph: 'PATCH 200',
    });
    expect(meetings.counters.get('events.undecorated')).toBe(1);
  });

  it('when an attendee’s copy asks for @webex, then it is recorded and not decorated', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(
      alice,
      buildCalendarEvent({
        location: '@webex',
        isOrganizer: false,
        organizer: { name: 'Björn', address: 'bjorn@contoso.example' },
        responseStatus: 'accepted',
      }),
    );

    const outcome = await processEventChange(meetings.context, buildEventChange());

    expect(outcome).toBe('recorded');
    expect(meetings.calendar.writes).toEqual([]);
    expect(meetings.joinDetails.calls).toEqual([]);
    expect(await meetings.recordOf('AAMkAGI2-event-1=')).toMatchObject({
      isOrganizer: false,
      responseStatus: 'accepted',
      organizer: { address: 'bjorn@contoso.example' },
    });
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries).toMatchObject([
      { outcome: 'recorded', rule: 'attendee copy: recorded, not decorated', language: null },
    ]);
  });

  it('when a series master changes, then each occurrence in the window gets a record and records of others go', async () => {
    const meetings = buildMeetings();
    const master = buildCalendarEvent({ id: 'series-1', kind: 'seriesMaster', subject: 'Weekly sync' });
    const occurrence = (n: number) =>
      buildCalendarEvent({
        id: `series-1-occurrence-${n}`,
        kind: 'occurrence',
        seriesMasterId: 'series-1',
        subject: 'Weekly sync',
        start: new Date(Date.parse(meetingsStart) + n * 7 * day),
        end: new Date(Date.parse(meetingsStart) + n * 7 * day + 1_800_000),
      });
    meetings.calendar.put(alice, master, occurrence(0), occurrence(1), occurrence(2), occurrence(9));
    meetings.records.seed(
      buildRecord({ id: keyOf('series-1-occurrence-gone'), seriesKey: keyOf('series-1') }),
      buildRecord({ id: keyOf('another-meeting') }),
    );

    const outcome = await processEventChange(meetings.context, buildEventChange({ eventId: 'series-1' }));

    expect(outcome).toBe('recorded');
    expect(meetings.records.of(aliceId).map((record) => [record.id, record.seriesKey])).toEqual([
      [keyOf('series-1-occurrence-0'), keyOf('series-1')],
      [keyOf('another-meeting'), null],
      [keyOf('series-1-occurrence-1'), keyOf('series-1')],
      [keyOf('series-1-occurrence-2'), keyOf('series-1')],
    ]);
    expect(await meetings.recordOf('series-1-occurrence-1')).toMatchObject({
      subject: 'Weekly sync',
      seriesMasterId: 'series-1',
    });
  });

  it.each([
    ['deleted', 'event deleted', '404'],
    ['cancelled', 'meeting cancelled', null],
    ['gone from the calendar', 'event no longer exists', '404'],
  ] as const)(
    'when the event was %s, then its records and its occurrences’ go, and the trace says why',
    async (how, rule, graph) => {
      const meetings = buildMeetings();
      if (how === 'cancelled') meetings.calendar.put(alice, buildCalendarEvent({ isCancelled: true }));
      meetings.records.seed(
        buildRecord(),
        buildRecord({ id: keyOf('occurrence-1'), seriesKey: keyOf('AAMkAGI2-event-1=') }),
        buildRecord({ id: keyOf('another-meeting') }),
      );

      const outcome = await processEventChange(
        meetings.context,
        buildEventChange({ changeType: how === 'deleted' ? 'deleted' : 'updated' }),
      );

      expect(outcome).toBe('removed');
      expect(meetings.records.of(aliceId).map((record) => record.id)).toEqual([keyOf('another-meeting')]);
      expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries).toMatchObject([
        { outcome: 'removed', rule, graph },
      ]);
    },
  );

  it('when a deleted notification names an event Graph still has, then the record is kept and the event handled as an update', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    meetings.records.seed(buildRecord());

    const outcome = await processEventChange(meetings.context, buildEventChange({ changeType: 'deleted' }));

    expect(outcome).toBe('decorated');
    expect(meetings.calendar.writes).toHaveLength(1);
    expect(await meetings.recordOf('AAMkAGI2-event-1=')).toBeDefined();
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries).not.toContainEqual(
      expect.objectContaining({ outcome: 'removed' }),
    );
  });

  it('when a deleted notification names an event Graph still has but cancelled, then the record goes', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ isCancelled: true }));
    meetings.records.seed(buildRecord());

    const outcome = await processEventChange(meetings.context, buildEventChange({ changeType: 'deleted' }));

    expect(outcome).toBe('removed');
    expect(meetings.records.of(aliceId)).toEqual([]);
    expect(meetings.calendar.reads).toHaveLength(1);
  });

  it('when the mailbox is gone, then the user goes to Error with mailbox-gone once and the change fails permanently', async () => {
    const meetings = buildMeetings();
    meetings.calendar.goneMailboxes.add(aliceId);

    const first = await processEventChange(meetings.context, buildEventChange()).catch((error) => error);
    const afterFirst = await meetings.users.find(alice);
    const second = await processEventChange(meetings.context, buildEventChange()).catch((error) => error);
    const afterSecond = await meetings.users.find(alice);

    expect(first).toMatchObject({ code: 'mailbox-gone', transient: false });
    expect(second).toMatchObject({ code: 'mailbox-gone', transient: false });
    expect(afterFirst).toMatchObject({ state: 'error', errorReason: 'mailbox-gone', consecutiveFailures: 1 });
    expect(afterSecond).toEqual(afterFirst);
  });

  it('when someone changes the event between our read and our write, then it is read again and written on the new version', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    meetings.calendar.changeBeforeNextWrites(2);

    const outcome = await processEventChange(meetings.context, buildEventChange());

    expect(outcome).toBe('decorated');
    expect(meetings.calendar.reads).toHaveLength(3);
    expect(meetings.calendar.writes).toHaveLength(1);
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries.map((entry) => entry.outcome)).toEqual([
      'decorated',
    ]);
  });

  it('when the event changes under every one of three writes, then the third conflict is traced as failed and rethrown', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    meetings.calendar.changeBeforeNextWrites(3);

    await expect(processEventChange(meetings.context, buildEventChange())).rejects.toMatchObject({
      code: 'precondition-failed',
    });

    expect(meetings.calendar.reads).toHaveLength(3);
    expect(meetings.calendar.writes).toEqual([]);
    expect(await meetings.recordOf('AAMkAGI2-event-1=')).toBeUndefined();
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries).toMatchObject([
      {
        outcome: 'failed',
        rule: 'keyword @webex',
        language: 'en',
        graph: '412 ErrorIrresolvableConflict',
        detail: 'precondition-failed',
      },
    ]);
  });

  it('when Webex is down, then the event is not written, the failure is traced and the error rethrown for a retry', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    meetings.joinDetails.unavailable = true;

    await expect(processEventChange(meetings.context, buildEventChange())).rejects.toMatchObject({
      code: 'dependency-unavailable',
    });

    expect(meetings.calendar.writes).toEqual([]);
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries).toMatchObject([
      { outcome: 'failed', rule: 'keyword @webex', graph: null, detail: 'dependency-unavailable' },
    ]);
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.lastChangeKey).toBeNull();
  });

  it('when Webex answers again after failing, then the mailboxes that waited on it are reconciled at once, each once', async () => {
    const reconciled: string[] = [];
    const joinServiceRecovery = new JoinServiceRecovery(async (mailbox) => {
      reconciled.push(`${mailbox.tenantId}/${mailbox.userId}`);
    });
    const meetings = buildMeetings({ joinServiceRecovery });
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    meetings.joinDetails.unavailable = true;

    // Two changes meet the outage: the mailbox is remembered once.
    for (let attempt = 0; attempt < 2; attempt += 1)
      await expect(processEventChange(meetings.context, buildEventChange())).rejects.toMatchObject({
        code: 'dependency-unavailable',
      });
    expect(reconciled).toEqual([]);
    meetings.joinDetails.unavailable = false;
    await processEventChange(meetings.context, buildEventChange());
    await processEventChange(
      meetings.context,
      buildEventChange({ eventId: 'AAMkAGI2-event-2=', changeKey: 'other' }),
    );

    expect(reconciled).toEqual([`${meetingsTenantId}/${aliceId}`]);
  });

  it('when a decoration fails without Webex being at fault (no organiser), then no mailbox waits for Webex', async () => {
    const reconciled: string[] = [];
    const joinServiceRecovery = new JoinServiceRecovery(async (mailbox) => {
      reconciled.push(mailbox.userId);
    });
    const meetings = buildMeetings({ joinServiceRecovery });
    meetings.calendar.put(
      alice,
      buildCalendarEvent({ location: '@webex', organizer: { name: null, address: null } }),
    );

    await expect(processEventChange(meetings.context, buildEventChange())).rejects.toMatchObject({
      code: 'input-invalid',
    });

    expect(await joinServiceRecovery.succeeded()).toBe(0);
    expect(reconciled).toEqual([]);
  });

  it('when the change comes from a subscription the user no longer has, then it is ignored without reading the event', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));

    const outcome = await processEventChange(
      meetings.context,
      buildEventChange({ subscriptionId: 'subscription-0' }),
    );

    expect(outcome).toBe('ignored');
    expect(meetings.calendar.reads).toEqual([]);
    expect(meetings.counters.get('events.ignored.stale-subscription')).toBe(1);
  });

  it('when the user is not watched (disabled or unknown), then the change is ignored', async () => {
    const meetings = buildMeetings();
    meetings.users.seed(buildWatchedUser({ enabled: false, subscriptionId: 'subscription-1' }));
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));

    const disabled = await processEventChange(meetings.context, buildEventChange());
    const unknown = await processEventChange(meetings.context, buildEventChange({ userId: 'someone-else' }));

    expect([disabled, unknown]).toEqual(['ignored', 'ignored']);
    expect(meetings.calendar.reads).toEqual([]);
    expect(meetings.counters.get('events.ignored.user-not-watched')).toBe(2);
  });

  it('when an @meet meeting gains an invitee, then the invitee joins its space and the event is not written again', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@meet' }));
    await processEventChange(meetings.context, buildEventChange());
    const decorated = meetings.calendar.event(alice, 'AAMkAGI2-event-1=');
    const spaceId = readMarker(decorated ?? { decorationMarker: null })?.spaceId ?? '';
    meetings.calendar.put(alice, {
      ...buildCalendarEvent(decorated),
      invitees: [
        ...(decorated?.invitees ?? []),
        { name: 'Kenji', address: 'kenji@contoso.example', kind: 'optional', response: 'none' },
        { name: 'Boardroom', address: 'boardroom@contoso.example', kind: 'room', response: 'accepted' },
      ],
      version: 'W/"edited"',
      changeKey: 'edited',
    });

    const outcome = await processEventChange(meetings.context, buildEventChange({ changeKey: 'edited' }));

    expect(outcome).toBe('recorded');
    expect(meetings.joinDetails.spaces.get(spaceId)).toEqual([
      'bjorn@contoso.example',
      'kenji@contoso.example',
    ]);
    expect(meetings.calendar.writes).toHaveLength(1);
    expect((await meetings.traceOf('AAMkAGI2-event-1='))?.entries.at(-1)).toMatchObject({
      outcome: 'recorded',
      rule: 'keyword @meet: already decorated; 1 invitee(s) added to the space',
    });
  });
});
