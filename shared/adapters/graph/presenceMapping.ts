import { z } from 'zod';
import type { AutomaticReplies, Interval, PresenceReading } from '../../presence/presenceReading.js';
import type { PresenceReadingResult } from '../../presence/presenceSource.js';
import type { BatchResult, BatchStep } from './calendarGateway.js';
import { graphErrorBodySchema } from './graphModels.js';
import { errorCodeForGraph } from './graphRequestError.js';

// Pure mapping between Graph's wire shapes and presence readings; unit-tested with literal fixtures.

/**
 * Graph is asked for UTC; these are what it or an Exchange server may still answer with. Windows
 * names beyond UTC are mapped for the zones Outlook most often reports; an IANA name is understood
 * as it is; anything else makes the window unknown (counted, left to the next poll).
 */
const windowsToIana: Readonly<Record<string, string>> = {
  utc: 'UTC',
  'coordinated universal time': 'UTC',
  'gmt standard time': 'Europe/London',
  'greenwich standard time': 'Atlantic/Reykjavik',
  'w. europe standard time': 'Europe/Berlin',
  'central europe standard time': 'Europe/Budapest',
  'central european standard time': 'Europe/Warsaw',
  'romance standard time': 'Europe/Paris',
  'e. europe standard time': 'Europe/Chisinau',
  'fle standard time': 'Europe/Kiev',
  'gtb standard time': 'Europe/Bucharest',
  'turkey standard time': 'Europe/Istanbul',
  'russian standard time': 'Europe/Moscow',
  'india standard time': 'Asia/Kolkata',
  'china standard time': 'Asia/Shanghai',
  'singapore standard time': 'Asia/Singapore',
  'tokyo standard time': 'Asia/Tokyo',
  'korea standard time': 'Asia/Seoul',
  'aus eastern standard time': 'Australia/Sydney',
  'new zealand standard time': 'Pacific/Auckland',
  'eastern standard time': 'America/New_York',
  'central standard time': 'America/Chicago',
  'mountain standard time': 'America/Denver',
  'pacific standard time': 'America/Los_Angeles',
  'e. south america standard time': 'America/Sao_Paulo',
};

function ianaZoneOf(zone: string): string | undefined {
  const name = windowsToIana[zone.trim().toLowerCase()] ?? zone.trim();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name;
  } catch {
    return undefined;
  }
}

const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

function offsetMsAt(epochMs: number, ianaZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: ianaZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(new Date(epochMs))
      .map((part) => [part.type, part.value]),
  );
  const asUtc = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return asUtc - (epochMs - (epochMs % 1000));
}

/**
 * A Graph `dateTimeTimeZone` as an instant, or undefined when its zone or its text is unknown.
 * Graph's `dateTime` has no offset and up to seven fractional digits.
 */
export function instantOfDateTimeTimeZone(value: { dateTime: string; timeZone: string }): number | undefined {
  const match = localDateTimePattern.exec(value.dateTime.trim().replace(/Z$/i, ''));
  const zone = ianaZoneOf(value.timeZone);
  if (!match || !zone) return undefined;
  const [, year, month, day, hour, minute, second, fraction] = match;
  const wallClockAsUtc = Date.UTC(
    Number(year),
    Number(month) - 1,
    Number(day),
    Number(hour),
    Number(minute),
    Number(second ?? 0),
    Number((fraction ?? '0').padEnd(3, '0').slice(0, 3)),
  );
  if (Number.isNaN(wallClockAsUtc)) return undefined;
  if (zone === 'UTC') return wallClockAsUtc;
  // The offset at the wall-clock time read as UTC, then again at the instant that gives (DST edges).
  const first = wallClockAsUtc - offsetMsAt(wallClockAsUtc, zone);
  return wallClockAsUtc - offsetMsAt(first, zone);
}

const dateTimeTimeZoneSchema = z.object({ dateTime: z.string(), timeZone: z.string() });

/** Graph's samples mix the case of `status` ("Scheduled"), so it is read without regard to case. */
const automaticRepliesWireSchema = z.object({
  status: z
    .string()
    .transform((value) => value.toLowerCase())
    .pipe(z.enum(['disabled', 'alwaysenabled', 'scheduled'])),
  scheduledStartDateTime: dateTimeTimeZoneSchema.nullish(),
  scheduledEndDateTime: dateTimeTimeZoneSchema.nullish(),
});

const outOfOfficeEventsWireSchema = z.object({
  value: z.array(
    z.object({
      showAs: z.string().nullish(),
      isCancelled: z.boolean().nullish(),
      start: dateTimeTimeZoneSchema.nullish(),
      end: dateTimeTimeZoneSchema.nullish(),
    }),
  ),
});

/** Graph answers these steps' times in UTC (and takes the zone from the header, not the mailbox). */
const inUtc = { Prefer: 'outlook.timezone="UTC"' };

export function automaticRepliesStepId(index: number): string {
  return `replies-${index}`;
}

export function outOfOfficeEventsStepId(index: number): string {
  return `oof-${index}`;
}

/**
 * The two `$batch` steps of one user's presence: the automatic replies, and the events of the window
 * with only what presence needs (100 events a page is far more than a poll period holds).
 */
export function presenceSteps(index: number, userId: string, window: { from: Date; to: Date }): BatchStep[] {
  const user = encodeURIComponent(userId);
  const query = new URLSearchParams({
    startDateTime: window.from.toISOString(),
    endDateTime: window.to.toISOString(),
    $select: 'showAs,isCancelled,start,end',
    $top: '100',
  });
  return [
    {
      id: automaticRepliesStepId(index),
      method: 'GET',
      url: `/users/${user}/mailboxSettings/automaticRepliesSetting`,
      headers: inUtc,
    },
    {
      id: outOfOfficeEventsStepId(index),
      method: 'GET',
      url: `/users/${user}/calendarView?${query.toString()}`,
      headers: inUtc,
    },
  ];
}

function failureOf(result: BatchResult | undefined): PresenceReadingResult {
  if (!result) return { outcome: 'failed', code: 'unexpected-response' };
  const graphCode = graphErrorBodySchema.safeParse(result.body).data?.error.code ?? 'unknown';
  return { outcome: 'failed', code: errorCodeForGraph(result.status, graphCode) };
}

function succeeded(result: BatchResult | undefined): result is BatchResult {
  return result !== undefined && result.status >= 200 && result.status < 300;
}

/** The automatic replies of a step's answer; a scheduled window with unreadable times is `unknown`. */
export function automaticRepliesFromGraph(body: unknown): AutomaticReplies | 'unknown' {
  const parsed = automaticRepliesWireSchema.safeParse(body);
  if (!parsed.success) return 'unknown';
  const { status, scheduledStartDateTime, scheduledEndDateTime } = parsed.data;
  if (status === 'disabled') return { status: 'disabled' };
  if (status === 'alwaysenabled') return { status: 'alwaysEnabled' };
  const startMs = scheduledStartDateTime ? instantOfDateTimeTimeZone(scheduledStartDateTime) : undefined;
  const endMs = scheduledEndDateTime ? instantOfDateTimeTimeZone(scheduledEndDateTime) : undefined;
  if (startMs === undefined || endMs === undefined) return 'unknown';
  return { status: 'scheduled', window: { startMs, endMs } };
}

/** The events of a calendar view shown as out of office and not cancelled, as intervals. */
export function outOfOfficeEventsFromGraph(body: unknown): Interval[] | 'unknown' {
  const parsed = outOfOfficeEventsWireSchema.safeParse(body);
  if (!parsed.success) return 'unknown';
  const intervals: Interval[] = [];
  for (const event of parsed.data.value) {
    if (event.showAs?.toLowerCase() !== 'oof' || event.isCancelled || !event.start || !event.end) continue;
    const startMs = instantOfDateTimeTimeZone(event.start);
    const endMs = instantOfDateTimeTimeZone(event.end);
    if (startMs !== undefined && endMs !== undefined && endMs > startMs) intervals.push({ startMs, endMs });
  }
  return intervals;
}

/** One user's reading from the answers to their two steps. */
export function presenceFromBatchResults(
  replies: BatchResult | undefined,
  events: BatchResult | undefined,
): PresenceReadingResult {
  if (!succeeded(replies)) return failureOf(replies);
  if (!succeeded(events)) return failureOf(events);
  const automaticReplies = automaticRepliesFromGraph(replies.body);
  const outOfOfficeEvents = outOfOfficeEventsFromGraph(events.body);
  if (automaticReplies === 'unknown' || outOfOfficeEvents === 'unknown')
    return { outcome: 'failed', code: 'unexpected-response' };
  const reading: PresenceReading = { automaticReplies, outOfOfficeEvents };
  return { outcome: 'read', reading };
}
