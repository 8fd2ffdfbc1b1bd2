import { describe, expect, it } from 'vitest';
import {
  calendarEventFromGraph,
  freeBusyFromGraph,
  graphJoinBlockChanges,
  graphNewEvent,
  instantFromGraph,
  markerPropertyId,
} from '../../../../shared/adapters/graph/eventMapping.js';
import {
  graphEventSchema,
  scheduleInformationSchema,
} from '../../../../shared/adapters/graph/graphModels.js';

// Fixtures are Graph's JSON as the gateway receives it (with `Prefer: outlook.timezone="UTC"`),
// parsed with the gateway's own schemas as the gateway parses it.
const fromGraph = (json: unknown) => calendarEventFromGraph(graphEventSchema.parse(json));

const organiserCopy = {
  '@odata.etag': 'W/"DwAAABYAAAB3l0+GVf9ZQ7k9VxyxJzq2AAAg3yA4"',
  id: 'AAMkAGI2TG93AAA=',
  createdDateTime: '2026-11-20T08:12:44.1234567Z',
  changeKey: 'DwAAABYAAAB3l0+GVf9ZQ7k9VxyxJzq2AAAg3yA4',
  iCalUId: '040000008200E00074C5B7101A82E0080000000016E4A3C1',
  subject: 'Planering Q1',
  bodyPreview: 'Agenda: budget',
  body: { contentType: 'html', content: '<html><body><p>Agenda: budget</p></body></html>' },
  start: { dateTime: '2026-11-24T09:00:00.0000000', timeZone: 'UTC' },
  end: { dateTime: '2026-11-24T09:30:00.0000000', timeZone: 'UTC' },
  isAllDay: false,
  isCancelled: false,
  isOrganizer: true,
  type: 'singleInstance',
  seriesMasterId: null,
  showAs: 'busy',
  responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
  location: { displayName: 'Room 12; @webex', locationType: 'default', uniqueIdType: 'private' },
  locations: [{ displayName: 'Room 12; @webex' }],
  organizer: { emailAddress: { name: 'Björn Berg', address: 'bjorn@contoso.example' } },
  attendees: [
    {
      type: 'required',
      status: { response: 'accepted', time: '2026-11-20T09:00:00Z' },
      emailAddress: { name: 'Alice Andersson', address: 'alice@contoso.example' },
    },
    {
      type: 'optional',
      status: { response: 'none', time: '0001-01-01T00:00:00Z' },
      emailAddress: { name: 'Kenji Kato', address: 'kenji@contoso.example' },
    },
    {
      type: 'resource',
      status: { response: 'accepted', time: '2026-11-20T08:13:00Z' },
      emailAddress: { name: 'Boardroom', address: 'boardroom@contoso.example' },
    },
  ],
};

describe('a Graph event as a calendar event', () => {
  it('when Graph sends an organiser’s single event in UTC, then every field is mapped and rooms are rooms', () => {
    expect(fromGraph(organiserCopy)).toEqual({
      id: 'AAMkAGI2TG93AAA=',
      version: 'W/"DwAAABYAAAB3l0+GVf9ZQ7k9VxyxJzq2AAAg3yA4"',
      changeKey: 'DwAAABYAAAB3l0+GVf9ZQ7k9VxyxJzq2AAAg3yA4',
      subject: 'Planering Q1',
      body: { contentType: 'html', content: '<html><body><p>Agenda: budget</p></body></html>' },
      start: new Date('2026-11-24T09:00:00Z'),
      end: new Date('2026-11-24T09:30:00Z'),
      isAllDay: false,
      organizer: { name: 'Björn Berg', address: 'bjorn@contoso.example' },
      isOrganizer: true,
      invitees: [
        { name: 'Alice Andersson', address: 'alice@contoso.example', kind: 'required', response: 'accepted' },
        { name: 'Kenji Kato', address: 'kenji@contoso.example', kind: 'optional', response: 'none' },
        { name: 'Boardroom', address: 'boardroom@contoso.example', kind: 'room', response: 'accepted' },
      ],
      location: 'Room 12; @webex',
      kind: 'single',
      seriesMasterId: null,
      isCancelled: false,
      responseStatus: 'organizer',
      decorationMarker: null,
    });
  });

  it('when times carry an offset, then they mean the instant they name', () => {
    const event = fromGraph({
      ...organiserCopy,
      start: { dateTime: '2026-11-24T10:00:00+01:00', timeZone: 'W. Europe Standard Time' },
      end: { dateTime: '2026-11-24T09:30:00.0000000Z', timeZone: 'UTC' },
    });

    expect(event.start).toEqual(new Date('2026-11-24T09:00:00Z'));
    expect(event.end).toEqual(new Date('2026-11-24T09:30:00Z'));
  });

  it('when the event lasts all day, then it runs midnight to midnight and says so', () => {
    const event = fromGraph({
      ...organiserCopy,
      isAllDay: true,
      start: { dateTime: '2026-11-24T00:00:00.0000000', timeZone: 'UTC' },
      end: { dateTime: '2026-11-25T00:00:00.0000000', timeZone: 'UTC' },
    });

    expect(event).toMatchObject({
      isAllDay: true,
      start: new Date('2026-11-24T00:00:00Z'),
      end: new Date('2026-11-25T00:00:00Z'),
    });
  });

  it('when Graph sends a series master and one of its occurrences, then each has its kind and the occurrence its series', () => {
    const master = fromGraph({
      ...organiserCopy,
      id: 'AAMkAGI2-master=',
      type: 'seriesMaster',
      recurrence: {
        pattern: { type: 'weekly', interval: 1, daysOfWeek: ['monday'] },
        range: { type: 'numbered', startDate: '2026-11-23', numberOfOccurrences: 10 },
      },
    });
    const occurrence = fromGraph({
      ...organiserCopy,
      id: 'AAMkAGI2-occurrence=',
      type: 'occurrence',
      seriesMasterId: 'AAMkAGI2-master=',
    });
    const exception = fromGraph({ ...organiserCopy, type: 'exception', seriesMasterId: 'AAMkAGI2-master=' });

    expect([master.kind, master.seriesMasterId]).toEqual(['seriesMaster', null]);
    expect([occurrence.kind, occurrence.seriesMasterId]).toEqual(['occurrence', 'AAMkAGI2-master=']);
    expect(exception.kind).toBe('exception');
  });

  it('when optional fields are missing or null, then the event has empty values, never undefined', () => {
    expect(
      fromGraph({
        id: 'AAMkAGI2-bare=',
        subject: null,
        body: { contentType: 'text', content: null },
        organizer: { emailAddress: {} },
        attendees: [{ type: 'required', emailAddress: { address: 'alice@contoso.example' } }],
        location: { displayName: null },
      }),
    ).toEqual({
      id: 'AAMkAGI2-bare=',
      version: null,
      changeKey: null,
      subject: null,
      body: { contentType: 'text', content: '' },
      start: null,
      end: null,
      isAllDay: false,
      organizer: { name: null, address: null },
      isOrganizer: false,
      invitees: [{ name: null, address: 'alice@contoso.example', kind: 'required', response: null }],
      location: null,
      kind: null,
      seriesMasterId: null,
      isCancelled: false,
      responseStatus: null,
      decorationMarker: null,
    });
    expect(fromGraph({ id: 'AAMkAGI2-bare=' }).body).toEqual({ contentType: 'html', content: '' });
  });

  it('when the marker property is expanded, then its text is the marker, whatever case Graph gives the id in', () => {
    const marker = '{"v":1,"kind":"personal-room","lang":"sv","hash":"abc"}';
    const withMarker = fromGraph({
      ...organiserCopy,
      singleValueExtendedProperties: [
        { id: 'String {00020329-0000-0000-c000-000000000046} Name Other', value: 'not ours' },
        { id: markerPropertyId.replace('Name', 'name').toUpperCase(), value: marker },
      ],
    });
    const withOthersOnly = fromGraph({
      ...organiserCopy,
      singleValueExtendedProperties: [
        { id: 'String {00020329-0000-0000-c000-000000000046} Name Other', value: 'not ours' },
      ],
    });

    expect(withMarker.decorationMarker).toBe(marker);
    expect(withOthersOnly.decorationMarker).toBeNull();
  });

  it('when a time cannot be read, then it is null rather than an invalid date', () => {
    expect(instantFromGraph({ dateTime: 'next Tuesday', timeZone: 'UTC' })).toBeNull();
    expect(instantFromGraph(null)).toBeNull();
  });
});

describe('calendar writes as Graph requests', () => {
  it('when a join block is written, then the PATCH holds the body and the marker property, nothing else', () => {
    expect(
      graphJoinBlockChanges({
        body: { contentType: 'html', content: '<p>Join</p>' },
        decorationMarker: '{"v":1}',
      }),
    ).toEqual({
      body: { contentType: 'html', content: '<p>Join</p>' },
      singleValueExtendedProperties: [{ id: markerPropertyId, value: '{"v":1}' }],
    });
  });

  it('when a meeting is scheduled, then the POST has a text agenda, UTC times to the second and required attendees', () => {
    expect(
      graphNewEvent({
        subject: 'Review',
        agenda: 'Slides',
        start: new Date('2026-11-24T10:00:00.500+01:00'),
        end: new Date('2026-11-24T09:30:00Z'),
        location: '@webex',
        attendees: ['alice@contoso.example'],
      }),
    ).toEqual({
      subject: 'Review',
      body: { contentType: 'text', content: 'Slides' },
      start: { dateTime: '2026-11-24T09:00:00', timeZone: 'UTC' },
      end: { dateTime: '2026-11-24T09:30:00', timeZone: 'UTC' },
      location: { displayName: '@webex' },
      attendees: [{ emailAddress: { address: 'alice@contoso.example' }, type: 'required' }],
    });
  });
});

describe('free/busy from Graph', () => {
  it('when Graph answers a schedule, then busy times are instants and a failed schedule keeps its code', () => {
    const answered = scheduleInformationSchema.parse({
      scheduleId: 'boardroom@contoso.example',
      availabilityView: '020',
      scheduleItems: [
        {
          isPrivate: false,
          status: 'busy',
          subject: 'Planering',
          location: 'Boardroom',
          start: { dateTime: '2026-11-24T13:00:00.0000000', timeZone: 'UTC' },
          end: { dateTime: '2026-11-24T14:00:00.0000000', timeZone: 'UTC' },
        },
      ],
      workingHours: { daysOfWeek: ['monday'], startTime: '08:00:00.0000000', endTime: '17:00:00.0000000' },
    });
    const failed = scheduleInformationSchema.parse({
      scheduleId: 'nobody@fabrikam.example',
      error: { message: 'Not found', responseCode: 'ErrorMailRecipientNotFound' },
    });

    expect(freeBusyFromGraph(answered)).toEqual({
      schedule: 'boardroom@contoso.example',
      availabilityView: '020',
      busy: [
        { status: 'busy', start: new Date('2026-11-24T13:00:00Z'), end: new Date('2026-11-24T14:00:00Z') },
      ],
      error: null,
    });
    expect(freeBusyFromGraph(failed)).toEqual({
      schedule: 'nobody@fabrikam.example',
      availabilityView: null,
      busy: [],
      error: 'ErrorMailRecipientNotFound',
    });
  });

  it('when a busy time cannot be read, then it fails as an unexpected answer from Graph', () => {
    const garbled = scheduleInformationSchema.parse({
      scheduleId: 'alice@contoso.example',
      scheduleItems: [
        {
          status: 'busy',
          start: { dateTime: 'soon', timeZone: 'UTC' },
          end: { dateTime: 'later', timeZone: 'UTC' },
        },
      ],
    });

    expect(() => freeBusyFromGraph(garbled)).toThrow(
      expect.objectContaining({ code: 'unexpected-response', serviceCode: 'unexpected-response' }),
    );
  });
});
