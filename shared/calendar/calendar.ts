import type {
  CalendarEvent,
  EventBody,
  FreeBusyQuery,
  FreeBusySchedule,
  NewMeeting,
  Rsvp,
} from './calendarEvent.js';
import type { MailboxRef, TimeWindow } from './mailbox.js';

/** What decorating (or undecorating) writes: the whole new body and the marker that says what is in it. */
export interface JoinBlockWrite {
  body: EventBody;
  /** The marker's text, stored with the event where the next read finds it. */
  decorationMarker: string;
}

/**
 * Users' calendars, as the meetings side uses them (Microsoft Graph in production). Failures are
 * `CalendarServiceError`s: `not-found`, `precondition-failed`, `throttled` (after retries ran out),
 * `unauthorized`, `mailbox-gone`, `dependency-unavailable`, `request-rejected`.
 */
export interface Calendar {
  /** One event of the mailbox, its decoration marker included; `not-found` when it is gone. */
  readEvent(mailbox: MailboxRef, eventId: string): Promise<CalendarEvent>;
  /**
   * Replaces the event's body and marker in one write, only if the event is still at the version it
   * was read at (`precondition-failed` when someone changed it since; unconditional when the version
   * is unknown). Returns the event as written.
   */
  writeJoinBlock(
    mailbox: MailboxRef,
    event: Pick<CalendarEvent, 'id' | 'version'>,
    write: JoinBlockWrite,
  ): Promise<CalendarEvent>;
  /** The occurrences and exceptions of a series that overlap the window. */
  occurrencesOf(mailbox: MailboxRef, seriesMasterId: string, window: TimeWindow): Promise<CalendarEvent[]>;
  /** Puts a new meeting in the mailbox's calendar and invites the attendees; returns the event made. */
  scheduleMeeting(mailbox: MailboxRef, meeting: NewMeeting): Promise<CalendarEvent>;
  /** Answers an invitation the mailbox received. */
  respond(mailbox: MailboxRef, eventId: string, rsvp: Rsvp): Promise<void>;
  /** Removes the event; for a meeting the mailbox organises, attendees get the cancellation. */
  cancel(mailbox: MailboxRef, eventId: string): Promise<void>;
  /** The availability of people and rooms, as the mailbox may see it. */
  freeBusy(mailbox: MailboxRef, query: FreeBusyQuery): Promise<FreeBusySchedule[]>;
}
