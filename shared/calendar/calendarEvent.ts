/**
 * A calendar event as the product sees it: instants instead of wire date-times, people instead of
 * attendee records, and the decoration marker as the text we wrote. Adapters map their service's
 * wire model to this and back; nothing outside an adapter sees the wire model.
 */
export interface CalendarEvent {
  id: string;
  /** The event's version tag, for writes conditional on nobody having changed it; null when unknown. */
  version: string | null;
  /** The calendar service's change key: a change notification carries it, so a handled change is recognised. */
  changeKey: string | null;
  /** Null when the event has none (as opposed to an empty one). */
  subject: string | null;
  body: EventBody;
  /** Null only when the service sent no start (or end) or one that cannot be read. */
  start: Date | null;
  end: Date | null;
  isAllDay: boolean;
  /** Name and address are null when the service did not say. */
  organizer: Person;
  /** Whether this copy is the organiser's own (attendees have copies of their own). */
  isOrganizer: boolean;
  invitees: Invitee[];
  /** The Location as written, e.g. `Room 12; @webex`. */
  location: string | null;
  /** Null when the service did not say. */
  kind: EventKind | null;
  /** For occurrences and exceptions: the series they belong to. */
  seriesMasterId: string | null;
  isCancelled: boolean;
  /** The mailbox owner's answer, in the service's words (`accepted`, `organizer`, `none`, …). */
  responseStatus: string | null;
  /** The decoration marker as stored on the event (JSON written by the meetings side), or null. */
  decorationMarker: string | null;
}

export interface EventBody {
  contentType: 'html' | 'text';
  content: string;
}

export interface Person {
  name: string | null;
  address: string | null;
}

/** `room`: a room or other resource booked through the invitation; rooms are not people. */
export type InviteeKind = 'required' | 'optional' | 'room';

export interface Invitee extends Person {
  kind: InviteeKind;
  /** Their answer, in the service's words (`accepted`, `declined`, `none`, …), or null when unknown. */
  response: string | null;
}

/** A one-off event, one occurrence of a series, a changed occurrence, or the series itself. */
export type EventKind = 'single' | 'occurrence' | 'exception' | 'seriesMaster';

/** A meeting to put in the organiser's calendar; the invitations go out from there. */
export interface NewMeeting {
  subject: string;
  /** Plain text. */
  agenda: string;
  start: Date;
  end: Date;
  location: string;
  /** Addresses of required attendees. */
  attendees: readonly string[];
}

/** An attendee's answer to an invitation. */
export type RsvpResponse = 'accept' | 'decline' | 'tentativelyAccept';

export interface Rsvp {
  response: RsvpResponse;
  comment?: string;
  /** Whether the organiser is told. */
  sendResponse: boolean;
}

/** Whose availability, over which window, in slots of how many minutes. */
export interface FreeBusyQuery {
  /** Addresses of people and rooms. */
  schedules: readonly string[];
  from: Date;
  to: Date;
  intervalMinutes: number;
}

/** One person's or room's availability. */
export interface FreeBusySchedule {
  /** The address asked for. */
  schedule: string;
  /** One digit per slot (0 free, 1 tentative, 2 busy, 3 away, 4 elsewhere), when the service gave it. */
  availabilityView: string | null;
  busy: Array<{ status: string; start: Date; end: Date }>;
  /** Why this schedule could not be read (the service's code), or null. */
  error: string | null;
}
