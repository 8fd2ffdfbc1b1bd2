import { describe, expect, it } from 'vitest';
import { keyOf } from '../../../shared/meetings/meetingRecord.js';
import {
  cancelMeeting,
  freeBusy,
  listMeetings,
  respondToMeeting,
  scheduleBodySchema,
  scheduleMeeting,
} from '../../../shared/meetings/meetingsApi.js';
import { processEventChange } from '../../../shared/meetings/processEventChange.js';
import {
  alice,
  buildCalendarEvent,
  buildEventChange,
  buildMeetings,
} from '../../support/meetingsBuilders.js';

/** A harness where Alice's calendar holds `events`, each processed into her records. */
async function withRecorded(...events: ReturnType<typeof buildCalendarEvent>[]) {
  const meetings = buildMeetings();
  meetings.calendar.put(alice, ...events);
  for (const event of events)
    await processEventChange(meetings.context, buildEventChange({ eventId: event.id }));
  return meetings;
}

describe('the meetings API’s use cases', () => {
  it('when the list is asked for a range, then the meetings overlapping it come back opened, by start', async () => {
    const meetings = await withRecorded(
      buildCalendarEvent({
        id: 'late',
        subject: 'Late',
        start: new Date('2026-11-23T15:00:00Z'),
        end: new Date('2026-11-23T16:00:00Z'),
      }),
      buildCalendarEvent({
        id: 'early',
        subject: 'Early',
        start: new Date('2026-11-23T08:00:00Z'),
        end: new Date('2026-11-23T09:00:00Z'),
      }),
      buildCalendarEvent({
        id: 'next-week',
        start: new Date('2026-11-30T08:00:00Z'),
        end: new Date('2026-11-30T09:00:00Z'),
      }),
    );

    const views = await listMeetings(meetings.context, alice.userId, {
      from: new Date('2026-11-23T00:00:00Z'),
      to: new Date('2026-11-24T00:00:00Z'),
    });

    expect(views.map((view) => [view.id, view.title, view.start])).toEqual([
      [keyOf('early'), 'Early', '2026-11-23T08:00:00.000Z'],
      [keyOf('late'), 'Late', '2026-11-23T15:00:00.000Z'],
    ]);
  });

  it('when a meeting is scheduled, then the calendar gets it with the keyword as Location', async () => {
    const meetings = buildMeetings();
    const body = scheduleBodySchema.parse({
      subject: 'Review',
      start: '2026-11-24T10:00:00+01:00',
      end: '2026-11-24T10:30:00+01:00',
      attendees: ['bjorn@contoso.example'],
    });

    const { eventId } = await scheduleMeeting(meetings.context, alice, body);

    expect(eventId).toBe('scheduled-1');
    expect(meetings.calendar.scheduled).toEqual([
      {
        userId: alice.userId,
        meeting: {
          subject: 'Review',
          agenda: '',
          start: new Date('2026-11-24T09:00:00Z'),
          end: new Date('2026-11-24T09:30:00Z'),
          location: '@webex',
          attendees: ['bjorn@contoso.example'],
        },
      },
    ]);
  });

  it('when an attendee answers, then the calendar gets the answer; the organiser may not answer, an attendee may not cancel', async () => {
    const meetings = await withRecorded(
      buildCalendarEvent({ id: 'invited', isOrganizer: false, responseStatus: 'notResponded' }),
      buildCalendarEvent({ id: 'own' }),
    );

    await respondToMeeting(meetings.context, alice, keyOf('invited'), { response: 'accept' });

    expect(meetings.calendar.responses).toEqual([
      { userId: alice.userId, eventId: 'invited', rsvp: { response: 'accept', sendResponse: true } },
    ]);
    await expect(
      respondToMeeting(meetings.context, alice, keyOf('own'), { response: 'decline' }),
    ).rejects.toMatchObject({ code: 'input-invalid' });
    await expect(cancelMeeting(meetings.context, alice, keyOf('invited'))).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('when the organiser cancels a meeting the calendar no longer has, then it is not-found about the meeting', async () => {
    const meetings = await withRecorded(buildCalendarEvent({ id: 'own' }));
    await cancelMeeting(meetings.context, alice, keyOf('own'));

    await expect(cancelMeeting(meetings.context, alice, keyOf('own'))).rejects.toMatchObject({
      code: 'not-found',
      message: 'The meeting no longer exists in the calendar.',
    });
    expect(meetings.calendar.cancelled).toEqual([{ userId: alice.userId, eventId: 'own' }]);
  });

  it('when free/busy is answered, then busy times are written to the second in UTC', async () => {
    const meetings = buildMeetings();
    meetings.calendar.freeBusyAnswer = [
      {
        schedule: 'boardroom@contoso.example',
        availabilityView: '020',
        busy: [
          { status: 'busy', start: new Date('2026-11-24T13:00:00Z'), end: new Date('2026-11-24T14:00:00Z') },
        ],
        error: null,
      },
    ];

    const answer = await freeBusy(meetings.context, alice, {
      schedules: ['boardroom@contoso.example'],
      from: '2026-11-24T12:00:00Z',
      to: '2026-11-24T15:00:00Z',
      intervalMinutes: 60,
    });

    expect(answer).toEqual([
      {
        schedule: 'boardroom@contoso.example',
        availabilityView: '020',
        busy: [{ status: 'busy', start: '2026-11-24T13:00:00Z', end: '2026-11-24T14:00:00Z' }],
        error: null,
      },
    ]);
  });
});
