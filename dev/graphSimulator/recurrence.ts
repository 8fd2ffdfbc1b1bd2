import { epochMsToZoned, zonedToEpochMs } from './timeZones.js';

export interface RecurrencePattern {
  type: 'daily' | 'weekly' | 'absoluteMonthly' | 'relativeMonthly' | 'absoluteYearly' | 'relativeYearly';
  interval: number;
  daysOfWeek?: string[];
  firstDayOfWeek?: string;
  dayOfMonth?: number;
}

export interface RecurrenceRange {
  type: 'endDate' | 'noEnd' | 'numbered';
  startDate: string;
  endDate?: string;
  numberOfOccurrences?: number;
  recurrenceTimeZone?: string;
}

const dayNames = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

function addDays(date: string, days: number): string {
  const ms =
    Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) +
    days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

function dayOfWeek(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** The supported patterns: what the simulator can expand. Others are refused with a 400. */
export function isSupportedPattern(pattern: RecurrencePattern): boolean {
  return pattern.type === 'daily' || pattern.type === 'weekly' || pattern.type === 'absoluteMonthly';
}

/**
 * The local dates (YYYY-MM-DD) on which a series occurs, in order, up to `untilDate` inclusive and
 * at most `limit` of them. Daily, weekly (with days of week and interval) and absolute monthly.
 */
export function occurrenceDates(
  pattern: RecurrencePattern,
  range: RecurrenceRange,
  untilDate: string,
  limit = 2_000,
): string[] {
  const dates: string[] = [];
  const lastDate =
    range.type === 'endDate' && range.endDate && range.endDate < untilDate ? range.endDate : untilDate;
  const maxCount = range.type === 'numbered' ? (range.numberOfOccurrences ?? 0) : Number.POSITIVE_INFINITY;
  const interval = Math.max(1, pattern.interval);
  const firstDay = dayNames.indexOf((pattern.firstDayOfWeek ?? 'sunday').toLowerCase());
  const wanted = new Set((pattern.daysOfWeek ?? []).map((day) => dayNames.indexOf(day.toLowerCase())));
  const weekStartOf = (date: string) => addDays(date, -((dayOfWeek(date) - firstDay + 7) % 7));
  const firstWeek = weekStartOf(range.startDate);
  for (
    let date = range.startDate;
    date <= lastDate && dates.length < Math.min(limit, maxCount);
    date = addDays(date, 1)
  ) {
    let occurs = false;
    if (pattern.type === 'daily') {
      occurs = daysBetween(range.startDate, date) % interval === 0;
    } else if (pattern.type === 'weekly') {
      const weekIndex = daysBetween(firstWeek, weekStartOf(date)) / 7;
      occurs = weekIndex % interval === 0 && wanted.has(dayOfWeek(date));
    } else if (pattern.type === 'absoluteMonthly') {
      const months =
        (Number(date.slice(0, 4)) - Number(range.startDate.slice(0, 4))) * 12 +
        (Number(date.slice(5, 7)) - Number(range.startDate.slice(5, 7)));
      occurs = months % interval === 0 && Number(date.slice(8, 10)) === (pattern.dayOfMonth ?? 1);
    }
    if (occurs) dates.push(date);
  }
  return dates;
}

/** The start instant of an occurrence: the series' wall-clock start time on that date, in its zone. */
export function occurrenceStart(seriesStartMs: number, seriesZone: string, date: string): number {
  const timeOfDay = epochMsToZoned(seriesStartMs, seriesZone).slice(11);
  return zonedToEpochMs(`${date}T${timeOfDay}`, seriesZone) ?? seriesStartMs;
}
