import { z } from 'zod';
import type { MailboxRef } from '../calendar/mailbox.js';
import { AppError, hasErrorCode } from '../errors.js';
import { watchWindow } from '../watch/watchContext.js';
import { defaultKeywords } from './detection.js';
import { type MeetingDetails, type MeetingRecord, meetingDetailsSchema } from './meetingRecord.js';
import type { MeetingsContext } from './meetingsContext.js';

/**
 * The instants the API takes: from 1970 up to (not including) 2100. Nothing outside is a meeting
 * anyone means to hold, and such times break what is derived from them (record TTLs, Graph's
 * calendar views), so they are refused as input rather than carried along.
 */
export const earliestInstantMs = Date.UTC(1970, 0, 1);
export const latestInstantMs = Date.UTC(2100, 0, 1);

/** An instant with its offset: `2026-11-24T09:00:00Z` or `…+01:00`. Times without one are refused. */
const instant = z.iso
  .datetime({
    offset: true,
    error: 'must be an ISO 8601 time with an offset, e.g. 2026-11-24T09:00:00Z',
  })
  .refine(
    (value) => {
      const ms = Date.parse(value);
      return ms >= earliestInstantMs && ms < latestInstantMs;
    },
    { message: 'must be from 1970 up to 2100' },
  );
const email = z.email('must be an e-mail address');

export const listMeetingsQuerySchema = z
  .object({ from: instant.optional(), to: instant.optional() })
  .refine((query) => !query.from || !query.to || Date.parse(query.from) < Date.parse(query.to), {
    message: 'from must be before to',
    path: ['from'],
  });

export const respondBodySchema = z
  .object({
    response: z.enum(['accept', 'decline', 'tentativelyAccept']),
    comment: z.string().max(2_000).optional(),
    sendResponse: z.boolean().optional(),
  })
  .strict();

export const scheduleBodySchema = z
  .object({
    subject: z.string().min(1).max(255),
    start: instant,
    end: instant,
    attendees: z.array(email).max(500, 'at most 500 attendees'),
    /** The Location keyword that decorates the meeting. */
    keyword: z
      .string()
      .regex(/^@[a-z0-9:._-]{2,40}$/i)
      .default('@webex'),
    agenda: z.string().max(20_000).optional(),
  })
  .strict()
  .refine((body) => Date.parse(body.start) < Date.parse(body.end), {
    message: 'start must be before end',
    path: ['start'],
  });

export const freeBusyBodySchema = z
  .object({
    schedules: z.array(email).min(1).max(100, 'at most 100 people and rooms'),
    from: instant,
    to: instant,
    intervalMinutes: z.number().int().min(5).max(1_440).default(30),
  })
  .strict()
  .refine((body) => Date.parse(body.from) < Date.parse(body.to), {
    message: 'from must be before to',
    path: ['from'],
  })
  .refine((body) => Date.parse(body.to) - Date.parse(body.from) <= 62 * 86_400_000, {
    message: 'at most 62 days at once',
    path: ['to'],
  });

/** A meeting as the apps and devices see it. `id` is the meeting's id in this API. */
export interface MeetingView {
  id: string;
  title: string;
  start: string;
  end: string;
  isAllDay: boolean;
  isOrganizer: boolean;
  responseStatus: string | null;
  organizer: MeetingDetails['organizer'];
  invitees: MeetingDetails['invitees'];
  join: MeetingDetails['join'];
}

/** The window the meetings list covers; a range partly outside is clamped, one wholly outside refused. */
export function clampToWindow(
  now: Date,
  from: string | undefined,
  to: string | undefined,
): { from: Date; to: Date } {
  const window = watchWindow(now);
  const start = from ? new Date(Math.max(Date.parse(from), window.from.getTime())) : window.from;
  const end = to ? new Date(Math.min(Date.parse(to), window.to.getTime())) : window.to;
  if (start >= end) {
    throw new AppError(
      'input-invalid',
      'The range lies outside the meetings window (7 days back to 31 days ahead).',
    );
  }
  return { from: start, to: end };
}

async function openRecord(context: MeetingsContext, record: MeetingRecord): Promise<MeetingDetails> {
  return context.cipher.open(record.userId, record.id, record.sealed, meetingDetailsSchema);
}

/** The user's meetings overlapping the range, decrypted, by start. */
export async function listMeetings(
  context: MeetingsContext,
  userId: string,
  range: { from: Date; to: Date },
): Promise<MeetingView[]> {
  const records = await context.records.between(userId, range);
  const views = await Promise.all(
    records.map(async (record): Promise<MeetingView> => {
      const details = await openRecord(context, record);
      return {
        id: record.id,
        title: details.subject,
        start: record.start,
        end: record.end,
        isAllDay: details.isAllDay,
        isOrganizer: details.isOrganizer,
        responseStatus: details.responseStatus,
        organizer: details.organizer,
        invitees: details.invitees,
        join: details.join,
      };
    }),
  );
  return views.sort((a, b) => a.start.localeCompare(b.start));
}

/** What the user's record of a meeting holds; `not-found` for an id the user has no meeting under. */
async function eventOf(context: MeetingsContext, userId: string, meetingId: string): Promise<MeetingDetails> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(meetingId)) throw new AppError('not-found', 'No such meeting.');
  const record = await context.records.find(userId, meetingId);
  if (!record) throw new AppError('not-found', 'No such meeting.');
  return openRecord(context, record);
}

function calendarNotFoundAsMeeting(error: unknown): never {
  if (hasErrorCode(error, 'not-found'))
    throw new AppError('not-found', 'The meeting no longer exists in the calendar.');
  throw error;
}

export async function respondToMeeting(
  context: MeetingsContext,
  mailbox: MailboxRef,
  meetingId: string,
  body: z.infer<typeof respondBodySchema>,
): Promise<void> {
  const details = await eventOf(context, mailbox.userId, meetingId);
  if (details.isOrganizer)
    throw new AppError('input-invalid', 'The organiser does not answer their own meeting.');
  await context.calendar
    .respond(mailbox, details.eventId, {
      response: body.response,
      ...(body.comment === undefined ? {} : { comment: body.comment }),
      sendResponse: body.sendResponse ?? true,
    })
    .catch(calendarNotFoundAsMeeting);
}

export async function cancelMeeting(
  context: MeetingsContext,
  mailbox: MailboxRef,
  meetingId: string,
): Promise<void> {
  const details = await eventOf(context, mailbox.userId, meetingId);
  if (!details.isOrganizer)
    throw new AppError('forbidden', 'Only the organiser can cancel a meeting; attendees decline.');
  await context.calendar.cancel(mailbox, details.eventId).catch(calendarNotFoundAsMeeting);
}

/** Creates the meeting in the user's calendar with the keyword in Location; it decorates itself as any other. */
export async function scheduleMeeting(
  context: MeetingsContext,
  mailbox: MailboxRef,
  body: z.infer<typeof scheduleBodySchema>,
): Promise<{ eventId: string }> {
  const settings = await context.tenantSettings.get(mailbox.tenantId);
  const keywords = Object.keys(settings.keywords ?? defaultKeywords).map((keyword) => keyword.toLowerCase());
  if (!keywords.includes(body.keyword.toLowerCase())) {
    throw new AppError('input-invalid', `keyword must be one of ${keywords.join(', ')}`);
  }
  const event = await context.calendar.scheduleMeeting(mailbox, {
    subject: body.subject,
    agenda: body.agenda ?? '',
    start: new Date(body.start),
    end: new Date(body.end),
    location: body.keyword,
    attendees: body.attendees,
  });
  return { eventId: event.id };
}

/** An instant as the free/busy answer has always written it: to the second, in UTC. */
function freeBusyTime(instant: Date): string {
  return `${instant.toISOString().slice(0, 19)}Z`;
}

export async function freeBusy(
  context: MeetingsContext,
  mailbox: MailboxRef,
  body: z.infer<typeof freeBusyBodySchema>,
) {
  const schedules = await context.calendar.freeBusy(mailbox, {
    schedules: body.schedules,
    from: new Date(body.from),
    to: new Date(body.to),
    intervalMinutes: body.intervalMinutes,
  });
  return schedules.map((schedule) => ({
    schedule: schedule.schedule,
    availabilityView: schedule.availabilityView,
    busy: schedule.busy.map((item) => ({
      status: item.status,
      start: freeBusyTime(item.start),
      end: freeBusyTime(item.end),
    })),
    error: schedule.error,
  }));
}
