import type { CalendarEvent, InviteeKind } from '../calendar/calendarEvent.js';
import type { MailboxRef } from '../calendar/mailbox.js';
import { AppError } from '../errors.js';
import { watchWindow } from '../watch/watchContext.js';
import type { WatchedUser } from '../watch/watchedUser.js';
import { detectMeeting } from './detection.js';
import { htmlToText } from './htmlText.js';
import { chooseJoinAddresses } from './joinLinkChoice.js';
import { keyOf, type MeetingDetails, type MeetingRecord, recordTtlSeconds } from './meetingRecord.js';
import type { MeetingsContext } from './meetingsContext.js';

const agendaLimit = 8_000;

/** Records and the API have always named rooms `resource`, as Graph does; the sealed details keep that. */
const inviteeTypes: Readonly<Record<InviteeKind, string>> = {
  required: 'required',
  optional: 'optional',
  room: 'resource',
};

/** What a record seals about an event: everything the meetings list shows, and nothing in clear. */
export function meetingDetailsOf(event: CalendarEvent, seriesMasterId: string | null): MeetingDetails {
  const { body } = event;
  // One line, as the meetings list shows it.
  const agenda = body.contentType === 'html' ? htmlToText(body.content).replace(/\s+/g, ' ') : body.content;
  const found = detectMeeting({
    location: event.location,
    body: body.content,
    bodyType: body.contentType,
  }).addresses;
  const { link, sipAddress: sip } = chooseJoinAddresses(found);
  return {
    eventId: event.id,
    seriesMasterId,
    subject: event.subject ?? '',
    agenda: agenda.slice(0, agendaLimit),
    isAllDay: event.isAllDay,
    isOrganizer: event.isOrganizer,
    responseStatus: event.responseStatus,
    organizer: { name: event.organizer.name, address: event.organizer.address },
    invitees: event.invitees.map((invitee) => ({
      name: invitee.name,
      address: invitee.address,
      type: inviteeTypes[invitee.kind],
      response: invitee.response,
    })),
    join: link || sip ? { link, sipAddress: sip } : null,
  };
}

type RecordWriting = Pick<MeetingsContext, 'records' | 'cipher' | 'clock' | 'joinNotifications'>;

async function saveRecord(
  context: RecordWriting,
  user: WatchedUser,
  event: CalendarEvent,
  seriesMasterId: string | null,
): Promise<void> {
  if (!event.start || !event.end) throw new AppError('input-invalid', 'event has no start or end');
  const id = keyOf(event.id);
  const now = context.clock.now();
  const details = meetingDetailsOf(event, seriesMasterId);
  const record: MeetingRecord = {
    id,
    userId: user.id,
    tenantId: user.tenantId,
    start: event.start.toISOString(),
    end: event.end.toISOString(),
    state: 'scheduled',
    seriesKey: seriesMasterId ? keyOf(seriesMasterId) : null,
    ttl: recordTtlSeconds(event.end.getTime(), now.getTime()),
    sealed: await context.cipher.seal(user.id, id, details),
    updatedAt: now.toISOString(),
  };
  const hooks = context.joinNotifications;
  if (!hooks) {
    await context.records.save(record);
    return;
  }
  const previous = await context.records.find(user.id, id);
  const saved = { ...record, ...(await hooks.beforeSave(record, details, previous)) };
  await context.records.save(saved);
  await hooks.afterSave(saved, details, previous);
}

async function removeRecord(
  context: Pick<RecordWriting, 'records' | 'joinNotifications'>,
  record: MeetingRecord,
): Promise<void> {
  await context.records.remove(record.userId, record.id);
  await context.joinNotifications?.afterRemove(record);
}

/** Removes an event's record and, for a series, the records of all its occurrences. */
export async function removeMeetingRecords(
  context: Pick<RecordWriting, 'records' | 'joinNotifications'>,
  userId: string,
  eventId: string,
): Promise<void> {
  const { records } = context;
  const own = context.joinNotifications ? await records.find(userId, keyOf(eventId)) : undefined;
  if (own) await removeRecord(context, own);
  else await records.remove(userId, keyOf(eventId));
  for (const record of await records.occurrencesOf(userId, keyOf(eventId)))
    await removeRecord(context, record);
}

/**
 * Brings the user's records in line with the event: one record for a single event, occurrence or
 * exception; for a series, one per occurrence in the meetings window, and none for occurrences no
 * longer in it.
 */
export async function syncMeetingRecords(
  context: Pick<MeetingsContext, 'calendar' | 'records' | 'cipher' | 'clock' | 'joinNotifications'>,
  user: WatchedUser,
  mailbox: MailboxRef,
  event: CalendarEvent,
): Promise<void> {
  if (event.kind !== 'seriesMaster') {
    await saveRecord(context, user, event, event.seriesMasterId);
    return;
  }
  const occurrences = await context.calendar.occurrencesOf(
    mailbox,
    event.id,
    watchWindow(context.clock.now()),
  );
  for (const occurrence of occurrences) await saveRecord(context, user, occurrence, event.id);
  const kept = new Set(occurrences.map((occurrence) => keyOf(occurrence.id)));
  for (const record of await context.records.occurrencesOf(user.id, keyOf(event.id)))
    if (!kept.has(record.id)) await removeRecord(context, record);
}
