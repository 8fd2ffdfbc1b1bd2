import { z } from 'zod';
import { keyOf, type MeetingDetails } from '../meetings/meetingRecord.js';

/** What a record's sealed `joinSchedule` holds. */
export const joinScheduleSchema = z.object({
  /** The start the messages expect. */
  start: z.iso.datetime(),
  /** Start minus the lead time when they were scheduled (the nominal due time). */
  dueAt: z.iso.datetime(),
  /** One scheduled message per recipient; the sequence number (a 64-bit integer, as a string) cancels it. */
  messages: z.array(z.object({ recipient: z.string(), sequenceNumber: z.string().regex(/^\d+$/) })),
});
export type JoinSchedule = z.infer<typeof joinScheduleSchema>;

/** What a record should have scheduled now: a start, a due time and who is told. */
export interface JoinPlan {
  start: string;
  dueAt: string;
  recipients: string[];
}

/** A person's recipient key: the address stays sealed, messages carry only this. */
export function personKey(address: string): string {
  return `person:${keyOf(address.trim().toLowerCase())}`;
}

export const integrationsRecipient = 'integrations';

/** A room's recipient key: due when the meeting enters the room's booking list. */
export function roomKey(address: string): string {
  return `room:${keyOf(address.trim().toLowerCase())}`;
}

/** How far ahead a room's booking list reaches: a meeting enters it this long before its start. */
export const bookingHorizonMs = 86_400_000;

/** When a recipient's message is due: rooms when the meeting enters their list, everyone else at the plan's due time. */
export function dueTimeOf(recipient: string, plan: JoinPlan): Date {
  // A minute after the meeting is 24 hours ahead: the list's range ends before now + 24 h exactly.
  return recipient.startsWith('room:')
    ? new Date(Date.parse(plan.start) - bookingHorizonMs + 60_000)
    : new Date(Date.parse(plan.dueAt));
}

/**
 * The people a meeting's Join notification goes to, as the organiser's copy lists them: the
 * organiser and every invitee that is not a room and has not declined. Rooms get their booking
 * list instead.
 */
export function joinRecipients(
  details: MeetingDetails,
): Array<{ key: string; address: string; name: string | null }> {
  const people = [
    ...(details.organizer.address
      ? [{ address: details.organizer.address, name: details.organizer.name }]
      : []),
    ...details.invitees
      .filter((invitee) => invitee.type !== 'resource' && invitee.response?.toLowerCase() !== 'declined')
      .flatMap((invitee) => (invitee.address ? [{ address: invitee.address, name: invitee.name }] : [])),
  ];
  const seen = new Set<string>();
  return people.flatMap((person) => {
    const key = personKey(person.address);
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ key, address: person.address, name: person.name }];
  });
}

/** The rooms a meeting books (attendees of type resource), by address. */
export function bookedRooms(details: MeetingDetails): string[] {
  return [
    ...new Set(
      details.invitees
        .filter((invitee) => invitee.type === 'resource' && invitee.address)
        .map((invitee) => (invitee.address ?? '').trim().toLowerCase()),
    ),
  ];
}

/**
 * Whether and for whom a record schedules Join notifications. Only the organiser's copy does (it
 * lists everyone and their answers; an attendee's copy would tell the same people again), only with
 * a join address, not for all-day events, and only while the meeting has yet to start.
 */
export function planJoinNotifications(input: {
  start: Date;
  details: MeetingDetails;
  leadTimeMinutes: number;
  now: Date;
}): JoinPlan | null {
  const { details, start, now } = input;
  if (!details.isOrganizer || details.isAllDay || !details.join) return null;
  if (!details.join.link && !details.join.sipAddress) return null;
  if (start.getTime() <= now.getTime()) return null;
  const recipients = joinRecipients(details).map((person) => person.key);
  // Rooms whose list the meeting has yet to enter: a rebuild is due then (once it is in the list's
  // range, writing the record rebuilds the list at once).
  const rooms =
    start.getTime() - bookingHorizonMs > now.getTime()
      ? bookedRooms(details).map((room) => roomKey(room))
      : [];
  return {
    start: start.toISOString(),
    dueAt: new Date(start.getTime() - input.leadTimeMinutes * 60_000).toISOString(),
    recipients: [...recipients, integrationsRecipient, ...rooms],
  };
}

/** What to do to go from the schedule a record keeps to the plan: cancel some, schedule others, keep the rest. */
export interface ScheduleChanges {
  cancel: JoinSchedule['messages'];
  keep: JoinSchedule['messages'];
  /** Recipients to schedule, at `plan.dueAt` (or at once when that has passed). */
  add: string[];
}

/**
 * A moved meeting (other start) or another lead time cancels everything and schedules anew; a
 * cancelled or unplanned one cancels everything; otherwise only recipients who left (declined,
 * removed) are cancelled and new ones added.
 */
export function scheduleChanges(previous: JoinSchedule | null, plan: JoinPlan | null): ScheduleChanges {
  const existing = previous?.messages ?? [];
  if (!plan) return { cancel: existing, keep: [], add: [] };
  if (!previous || previous.start !== plan.start || previous.dueAt !== plan.dueAt)
    return { cancel: existing, keep: [], add: plan.recipients };
  const wanted = new Set(plan.recipients);
  const had = new Set(existing.map((message) => message.recipient));
  return {
    cancel: existing.filter((message) => !wanted.has(message.recipient)),
    keep: existing.filter((message) => wanted.has(message.recipient)),
    add: plan.recipients.filter((recipient) => !had.has(recipient)),
  };
}
