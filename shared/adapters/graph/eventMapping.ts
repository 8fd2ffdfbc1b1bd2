import type { JoinBlockWrite } from '../../calendar/calendar.js';
import type {
  CalendarEvent,
  EventKind,
  FreeBusySchedule,
  InviteeKind,
  NewMeeting,
} from '../../calendar/calendarEvent.js';
import type { DateTimeTimeZone, GraphEvent, ScheduleInformation } from './graphModels.js';
import { GraphRequestError } from './graphRequestError.js';

// Pure mappings between Graph's wire model and the product's calendar events: no I/O, so each is
// tested with literal Graph JSON.

/**
 * Where the decoration marker lives on an event: a single-value extended property (a MAPI named
 * property in the service's own property set). Every read and write of an event asks for it.
 */
export const markerPropertyId = 'String {8c4f2e61-3b7a-4d1e-9f05-6a2d7c9e1b43} Name HybridCalendarJoinBlock';

const eventKinds: Readonly<Record<NonNullable<GraphEvent['type']>, EventKind>> = {
  singleInstance: 'single',
  occurrence: 'occurrence',
  exception: 'exception',
  seriesMaster: 'seriesMaster',
};

const inviteeKinds: Readonly<Record<'required' | 'optional' | 'resource', InviteeKind>> = {
  required: 'required',
  optional: 'optional',
  resource: 'room',
};

/**
 * An instant from Graph's date-time: one with an offset means what it says; one without is UTC,
 * because the gateway asks Graph for UTC (`Prefer: outlook.timezone="UTC"`). Null when missing or
 * unreadable.
 */
export function instantFromGraph(value: DateTimeTimeZone | null | undefined): Date | null {
  if (!value) return null;
  const withOffset = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value.dateTime) ? value.dateTime : `${value.dateTime}Z`;
  const ms = Date.parse(withOffset);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Graph's date-time for an instant: to the second, in UTC. */
export function graphDateTime(instant: Date): DateTimeTimeZone {
  return { dateTime: instant.toISOString().slice(0, 19), timeZone: 'UTC' };
}

export function calendarEventFromGraph(event: GraphEvent): CalendarEvent {
  const marker = event.singleValueExtendedProperties?.find(
    (property) => property.id.toLowerCase() === markerPropertyId.toLowerCase(),
  );
  return {
    id: event.id,
    version: event['@odata.etag'] ?? null,
    changeKey: event.changeKey ?? null,
    subject: event.subject ?? null,
    body: { contentType: event.body?.contentType ?? 'html', content: event.body?.content ?? '' },
    start: instantFromGraph(event.start),
    end: instantFromGraph(event.end),
    isAllDay: event.isAllDay ?? false,
    organizer: {
      name: event.organizer?.emailAddress.name ?? null,
      address: event.organizer?.emailAddress.address ?? null,
    },
    isOrganizer: event.isOrganizer ?? false,
    invitees: (event.attendees ?? []).map((attendee) => ({
      name: attendee.emailAddress.name ?? null,
      address: attendee.emailAddress.address ?? null,
      kind: inviteeKinds[attendee.type],
      response: attendee.status?.response ?? null,
    })),
    location: event.location?.displayName ?? null,
    kind: event.type ? eventKinds[event.type] : null,
    seriesMasterId: event.seriesMasterId ?? null,
    isCancelled: event.isCancelled ?? false,
    responseStatus: event.responseStatus?.response ?? null,
    decorationMarker: marker?.value ?? null,
  };
}

/** The PATCH body that writes a join block: the new body and the marker, nothing else. */
export function graphJoinBlockChanges(write: JoinBlockWrite): Record<string, unknown> {
  return {
    body: { contentType: write.body.contentType, content: write.body.content },
    singleValueExtendedProperties: [{ id: markerPropertyId, value: write.decorationMarker }],
  };
}

/** The POST body of a new meeting: a text agenda, UTC times, required attendees. */
export function graphNewEvent(meeting: NewMeeting): Record<string, unknown> {
  return {
    subject: meeting.subject,
    body: { contentType: 'text', content: meeting.agenda },
    start: graphDateTime(meeting.start),
    end: graphDateTime(meeting.end),
    location: { displayName: meeting.location },
    attendees: meeting.attendees.map((address) => ({ emailAddress: { address }, type: 'required' })),
  };
}

function scheduleInstant(value: DateTimeTimeZone): Date {
  const instant = instantFromGraph(value);
  if (!instant) {
    throw new GraphRequestError('unexpected-response', {
      status: 200,
      graphCode: 'unexpected-response',
      message: 'getSchedule: Graph answered with a time that cannot be read',
    });
  }
  return instant;
}

export function freeBusyFromGraph(schedule: ScheduleInformation): FreeBusySchedule {
  return {
    schedule: schedule.scheduleId,
    availabilityView: schedule.availabilityView ?? null,
    busy: (schedule.scheduleItems ?? []).map((item) => ({
      status: item.status,
      start: scheduleInstant(item.start),
      end: scheduleInstant(item.end),
    })),
    error: schedule.error?.responseCode ?? null,
  };
}
