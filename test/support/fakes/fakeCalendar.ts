import type { Calendar, JoinBlockWrite } from '../../../shared/calendar/calendar.js';
import type {
  CalendarEvent,
  FreeBusyQuery,
  FreeBusySchedule,
  NewMeeting,
  Rsvp,
} from '../../../shared/calendar/calendarEvent.js';
import { CalendarServiceError } from '../../../shared/calendar/calendarServiceError.js';
import type { MailboxRef, TimeWindow } from '../../../shared/calendar/mailbox.js';

export interface RecordedWrite {
  userId: string;
  eventId: string;
  /** The version the write was conditional on. */
  ifVersion: string | null;
  write: JoinBlockWrite;
}

/**
 * Users' calendars in memory, with the port's semantics: each write makes a new version and change
 * key, and a write conditional on an older version fails with `precondition-failed`. What the
 * service did is recorded (`reads`, `writes`, `scheduled`, `responses`, `cancelled`);
 * `changeBeforeNextWrites` plays someone editing the event between the service's read and write.
 */
export class FakeCalendar implements Calendar {
  readonly reads: string[] = [];
  readonly writes: RecordedWrite[] = [];
  readonly scheduled: Array<{ userId: string; meeting: NewMeeting }> = [];
  readonly responses: Array<{ userId: string; eventId: string; rsvp: Rsvp }> = [];
  readonly cancelled: Array<{ userId: string; eventId: string }> = [];
  /** Answers of `freeBusy`, whatever is asked. */
  freeBusyAnswer: FreeBusySchedule[] = [];
  readonly #events = new Map<string, CalendarEvent>();
  #versions = 0;
  #changesBeforeWrites = 0;

  /** Puts events in the mailbox as they are given: the Arrange step of a test. */
  put(mailbox: MailboxRef, ...events: CalendarEvent[]): void {
    for (const event of events) this.#events.set(keyOf(mailbox, event.id), structuredClone(event));
  }

  event(mailbox: MailboxRef, eventId: string): CalendarEvent | undefined {
    const event = this.#events.get(keyOf(mailbox, eventId));
    return event ? structuredClone(event) : undefined;
  }

  /** Removes an event, as its organiser deleting it would. */
  remove(mailbox: MailboxRef, eventId: string): void {
    this.#events.delete(keyOf(mailbox, eventId));
  }

  /** Mailboxes (user ids) that left Exchange Online: every read answers Graph's `mailbox-gone`. */
  readonly goneMailboxes = new Set<string>();

  /** Before each of the next `count` writes, someone else changes the event (a new version). */
  changeBeforeNextWrites(count: number): void {
    this.#changesBeforeWrites = count;
  }

  async readEvent(mailbox: MailboxRef, eventId: string): Promise<CalendarEvent> {
    this.reads.push(eventId);
    if (this.goneMailboxes.has(mailbox.userId)) {
      throw new CalendarServiceError('mailbox-gone', {
        status: 404,
        serviceCode: 'MailboxNotEnabledForRESTAPI',
        message: 'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
      });
    }
    return this.#stored(mailbox, eventId);
  }

  async writeJoinBlock(
    mailbox: MailboxRef,
    event: Pick<CalendarEvent, 'id' | 'version'>,
    write: JoinBlockWrite,
  ): Promise<CalendarEvent> {
    let stored = this.#stored(mailbox, event.id);
    if (this.#changesBeforeWrites > 0) {
      this.#changesBeforeWrites -= 1;
      stored = this.#newVersion(mailbox, stored, {});
    }
    if (event.version !== null && event.version !== stored.version) {
      throw new CalendarServiceError('precondition-failed', {
        status: 412,
        serviceCode: 'ErrorIrresolvableConflict',
        message: 'PATCH /users/{id}/events/{id}: the event changed since it was read',
      });
    }
    this.writes.push({ userId: mailbox.userId, eventId: event.id, ifVersion: event.version, write });
    return structuredClone(
      this.#newVersion(mailbox, stored, { body: write.body, decorationMarker: write.decorationMarker }),
    );
  }

  async occurrencesOf(
    mailbox: MailboxRef,
    seriesMasterId: string,
    window: TimeWindow,
  ): Promise<CalendarEvent[]> {
    return [...this.#events.entries()]
      .filter(([key]) => key.startsWith(`${mailbox.userId}|`))
      .map(([, event]) => event)
      .filter(
        (event) =>
          event.seriesMasterId === seriesMasterId &&
          event.start !== null &&
          event.end !== null &&
          event.start < window.to &&
          event.end > window.from,
      )
      .map((event) => structuredClone(event));
  }

  async scheduleMeeting(mailbox: MailboxRef, meeting: NewMeeting): Promise<CalendarEvent> {
    this.scheduled.push({ userId: mailbox.userId, meeting: structuredClone(meeting) });
    const version = this.#nextVersion();
    const event: CalendarEvent = {
      id: `scheduled-${this.scheduled.length}`,
      version: `W/"${version}"`,
      changeKey: version,
      subject: meeting.subject,
      body: { contentType: 'text', content: meeting.agenda },
      start: meeting.start,
      end: meeting.end,
      isAllDay: false,
      organizer: { name: null, address: null },
      isOrganizer: true,
      invitees: meeting.attendees.map((address) => ({
        name: null,
        address,
        kind: 'required',
        response: 'none',
      })),
      location: meeting.location,
      kind: 'single',
      seriesMasterId: null,
      isCancelled: false,
      responseStatus: 'organizer',
      decorationMarker: null,
    };
    this.put(mailbox, event);
    return structuredClone(event);
  }

  async respond(mailbox: MailboxRef, eventId: string, rsvp: Rsvp): Promise<void> {
    this.#stored(mailbox, eventId);
    this.responses.push({ userId: mailbox.userId, eventId, rsvp: structuredClone(rsvp) });
  }

  async cancel(mailbox: MailboxRef, eventId: string): Promise<void> {
    this.#stored(mailbox, eventId);
    this.cancelled.push({ userId: mailbox.userId, eventId });
    this.remove(mailbox, eventId);
  }

  async freeBusy(_mailbox: MailboxRef, _query: FreeBusyQuery): Promise<FreeBusySchedule[]> {
    return structuredClone(this.freeBusyAnswer);
  }

  #stored(mailbox: MailboxRef, eventId: string): CalendarEvent {
    const event = this.#events.get(keyOf(mailbox, eventId));
    if (!event) {
      throw new CalendarServiceError('not-found', {
        status: 404,
        serviceCode: 'ErrorItemNotFound',
        message: 'GET /users/{id}/events/{id}: Graph answered 404 ErrorItemNotFound',
      });
    }
    return structuredClone(event);
  }

  #newVersion(mailbox: MailboxRef, event: CalendarEvent, changes: Partial<CalendarEvent>): CalendarEvent {
    const version = this.#nextVersion();
    const next = { ...event, ...changes, version: `W/"${version}"`, changeKey: version };
    this.put(mailbox, next);
    return next;
  }

  #nextVersion(): string {
    this.#versions += 1;
    return `change-${this.#versions}`;
  }
}

function keyOf(mailbox: MailboxRef, eventId: string): string {
  return `${mailbox.userId}|${eventId}`;
}
