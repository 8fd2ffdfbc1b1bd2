import type { Calendar, JoinBlockWrite } from '../../calendar/calendar.js';
import type {
  CalendarEvent,
  FreeBusyQuery,
  FreeBusySchedule,
  NewMeeting,
  Rsvp,
} from '../../calendar/calendarEvent.js';
import type { MailboxRef, TimeWindow } from '../../calendar/mailbox.js';
import type { CalendarGateway } from './calendarGateway.js';
import {
  calendarEventFromGraph,
  freeBusyFromGraph,
  graphJoinBlockChanges,
  graphNewEvent,
  markerPropertyId,
} from './eventMapping.js';

/**
 * The calendar port on Microsoft Graph: the gateway speaks Graph's JSON, the mapping turns it into
 * calendar events and back. Failures are the gateway's `GraphRequestError`s, unchanged.
 */
export class GraphCalendar implements Calendar {
  readonly #gateway: CalendarGateway;

  constructor(gateway: CalendarGateway) {
    this.#gateway = gateway;
  }

  async readEvent(mailbox: MailboxRef, eventId: string): Promise<CalendarEvent> {
    const event = await this.#gateway.getEvent(mailbox, eventId, { extendedPropertyIds: [markerPropertyId] });
    return calendarEventFromGraph(event);
  }

  async writeJoinBlock(
    mailbox: MailboxRef,
    event: Pick<CalendarEvent, 'id' | 'version'>,
    write: JoinBlockWrite,
  ): Promise<CalendarEvent> {
    const written = await this.#gateway.updateEvent(mailbox, event.id, graphJoinBlockChanges(write), {
      // If-Match `*`: the version is unknown, so the write cannot be conditional on it.
      ifMatch: event.version ?? '*',
      extendedPropertyIds: [markerPropertyId],
    });
    return calendarEventFromGraph(written);
  }

  async occurrencesOf(
    mailbox: MailboxRef,
    seriesMasterId: string,
    window: TimeWindow,
  ): Promise<CalendarEvent[]> {
    return (await this.#gateway.listInstances(mailbox, seriesMasterId, window)).map(calendarEventFromGraph);
  }

  async scheduleMeeting(mailbox: MailboxRef, meeting: NewMeeting): Promise<CalendarEvent> {
    return calendarEventFromGraph(await this.#gateway.createEvent(mailbox, graphNewEvent(meeting)));
  }

  async respond(mailbox: MailboxRef, eventId: string, rsvp: Rsvp): Promise<void> {
    await this.#gateway.respondToEvent(mailbox, eventId, rsvp.response, {
      ...(rsvp.comment === undefined ? {} : { comment: rsvp.comment }),
      sendResponse: rsvp.sendResponse,
    });
  }

  async cancel(mailbox: MailboxRef, eventId: string): Promise<void> {
    await this.#gateway.deleteEvent(mailbox, eventId);
  }

  async freeBusy(mailbox: MailboxRef, query: FreeBusyQuery): Promise<FreeBusySchedule[]> {
    const schedules = await this.#gateway.getSchedule(
      mailbox,
      [...query.schedules],
      { from: query.from, to: query.to },
      query.intervalMinutes,
    );
    return schedules.map(freeBusyFromGraph);
  }
}
