/**
 * Time zones as Graph accepts them: IANA names and the Windows names Outlook uses. Only the Windows
 * names the demo tenant and tests need are mapped; an unknown zone is a 400, as in Graph.
 */
const windowsToIana: Record<string, string> = {
  UTC: 'UTC',
  'Coordinated Universal Time': 'UTC',
  'GMT Standard Time': 'Europe/London',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Romance Standard Time': 'Europe/Paris',
  'Turkey Standard Time': 'Europe/Istanbul',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'Pacific Standard Time': 'America/Los_Angeles',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
};

export function toIanaZone(zone: string): string | undefined {
  const mapped = windowsToIana[zone] ?? zone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: mapped });
    return mapped;
  } catch {
    return undefined;
  }
}

interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function localPartsOf(epochMs: number, ianaZone: string): LocalParts {
  let formatter = formatters.get(ianaZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: ianaZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(ianaZone, formatter);
  }
  const parts = Object.fromEntries(
    formatter.formatToParts(new Date(epochMs)).map((part) => [part.type, part.value]),
  );
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

function offsetMs(epochMs: number, ianaZone: string): number {
  const local = localPartsOf(epochMs, ianaZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Graph's local date-time form: `2026-11-22T10:00:00.0000000`, seconds and fractions optional on input. */
const localDateTimePattern = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?$/;

/** The instant a wall-clock time in a zone stands for; undefined when the text or zone is invalid. */
export function zonedToEpochMs(localDateTime: string, zone: string): number | undefined {
  const ianaZone = toIanaZone(zone);
  const match = localDateTimePattern.exec(localDateTime);
  if (!ianaZone || !match) return undefined;
  const [, y, mo, d, h, mi, s, fraction] = match;
  const millis = fraction ? Number(fraction.padEnd(3, '0').slice(0, 3)) : 0;
  const naiveUtc = Date.UTC(
    Number(y),
    Number(mo) - 1,
    Number(d),
    Number(h),
    Number(mi),
    Number(s ?? 0),
    millis,
  );
  if (Number.isNaN(naiveUtc)) return undefined;
  // Two passes settle the offset around daylight-saving changes.
  let guess = naiveUtc - offsetMs(naiveUtc, ianaZone);
  guess = naiveUtc - offsetMs(guess, ianaZone);
  return guess;
}

function pad(value: number, length = 2): string {
  return value.toString().padStart(length, '0');
}

/** Formats an instant as Graph does in a `dateTimeTimeZone`: wall clock in the zone, 7 fraction digits. */
export function epochMsToZoned(epochMs: number, zone: string): string {
  const ianaZone = toIanaZone(zone) ?? 'UTC';
  const local = localPartsOf(epochMs, ianaZone);
  const millis = ((epochMs % 1000) + 1000) % 1000;
  return `${local.year}-${pad(local.month)}-${pad(local.day)}T${pad(local.hour)}:${pad(local.minute)}:${pad(local.second)}.${pad(millis, 3)}0000`;
}

/** The calendar date (YYYY-MM-DD) of an instant in a zone. */
export function localDateOf(epochMs: number, zone: string): string {
  return epochMsToZoned(epochMs, zone).slice(0, 10);
}
