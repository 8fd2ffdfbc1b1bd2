import { describe, expect, it } from 'vitest';
import { maxTtlSeconds, recordTtlSeconds } from '../../../shared/meetings/meetingRecord.js';
import {
  clampToWindow,
  freeBusyBodySchema,
  listMeetingsQuerySchema,
  scheduleBodySchema,
} from '../../../shared/meetings/meetingsApi.js';

const now = new Date('2026-11-22T10:00:00Z');

describe('the meetings window', () => {
  it('when no range is given, then it is 7 days back to 31 days ahead', () => {
    expect(clampToWindow(now, undefined, undefined)).toEqual({
      from: new Date('2026-11-15T10:00:00Z'),
      to: new Date('2026-12-23T10:00:00Z'),
    });
  });

  it('when the range reaches beyond the window, then it is clamped to it', () => {
    expect(clampToWindow(now, '2026-01-01T00:00:00Z', '2026-11-23T00:00:00+01:00')).toEqual({
      from: new Date('2026-11-15T10:00:00Z'),
      to: new Date('2026-11-22T23:00:00Z'),
    });
  });

  it('when the range lies wholly outside the window, then it is refused with the reason', () => {
    expect(() => clampToWindow(now, '2027-03-01T00:00:00Z', '2027-03-02T00:00:00Z')).toThrow(
      /outside the meetings window/,
    );
  });
});

describe('the meetings API’s input', () => {
  it.each([
    ['ends before 1970', '1969-12-31T09:00:00Z', '1969-12-31T10:00:00Z'],
    ['starts before 1970', '1969-12-31T23:00:00Z', '1970-01-01T01:00:00Z'],
    ['ends in the year 9999', '2026-11-24T09:00:00Z', '9999-12-31T10:00:00Z'],
    ['starts at year 2100', '2100-01-01T00:00:00Z', '2100-01-01T01:00:00Z'],
  ])('when a meeting %s, then it is refused with the reason', (_case, start, end) => {
    const parsed = scheduleBodySchema.safeParse({ subject: 'Review', start, end, attendees: [] });

    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((issue) => issue.message)).toContain('must be from 1970 up to 2100');
  });

  it('when free/busy or a listing asks for times before 1970, then they are refused', () => {
    expect(
      freeBusyBodySchema.safeParse({
        schedules: ['bjorn@contoso.example'],
        from: '1960-01-01T00:00:00Z',
        to: '1960-01-02T00:00:00Z',
      }).success,
    ).toBe(false);
    expect(listMeetingsQuerySchema.safeParse({ to: '0001-01-01T00:00:00Z' }).success).toBe(false);
  });

  it('when times have no offset, then they are refused', () => {
    expect(listMeetingsQuerySchema.safeParse({ from: '2026-11-24T09:00:00' }).success).toBe(false);
    expect(listMeetingsQuerySchema.safeParse({ from: '2026-11-24T09:00:00+02:00' }).success).toBe(true);
  });

  it('when from is after to, then the query is refused', () => {
    expect(
      listMeetingsQuerySchema.safeParse({ from: '2026-11-25T00:00:00Z', to: '2026-11-24T00:00:00Z' }).success,
    ).toBe(false);
  });

  it('when a meeting has 1,000 attendees, unknown fields or a start after its end, then it is refused', () => {
    const valid = {
      subject: 'Review',
      start: '2026-11-24T09:00:00Z',
      end: '2026-11-24T10:00:00Z',
      attendees: ['a@contoso.example'],
    };

    expect(scheduleBodySchema.safeParse(valid).success).toBe(true);
    expect(
      scheduleBodySchema.safeParse({
        ...valid,
        attendees: Array.from({ length: 1_000 }, (_, i) => `p${i}@contoso.example`),
      }).success,
    ).toBe(false);
    expect(scheduleBodySchema.safeParse({ ...valid, location: 'x' }).success).toBe(false);
    expect(scheduleBodySchema.safeParse({ ...valid, start: valid.end, end: valid.start }).success).toBe(
      false,
    );
    expect(scheduleBodySchema.safeParse({ ...valid, attendees: ['not an address'] }).success).toBe(false);
  });

  it('when free/busy asks for more than 62 days or 100 schedules, then it is refused', () => {
    const valid = {
      schedules: ['a@contoso.example'],
      from: '2026-11-24T00:00:00Z',
      to: '2026-11-25T00:00:00Z',
    };

    expect(freeBusyBodySchema.safeParse(valid).success).toBe(true);
    expect(freeBusyBodySchema.safeParse({ ...valid, to: '2027-02-24T00:00:00Z' }).success).toBe(false);
    expect(
      freeBusyBodySchema.safeParse({
        ...valid,
        schedules: Array.from({ length: 101 }, (_, i) => `p${i}@contoso.example`),
      }).success,
    ).toBe(false);
  });
});

describe('meeting record TTL', () => {
  it('when the meeting ends in 10 days, then the record lives 17 days', () => {
    expect(recordTtlSeconds(now.getTime() + 10 * 86_400_000, now.getTime())).toBe(17 * 86_400);
  });

  it('when the meeting ends in the year 9999 or never, then the TTL stops at Cosmos DB’s maximum', () => {
    expect(recordTtlSeconds(Date.parse('9999-12-31T00:00:00Z'), now.getTime())).toBe(maxTtlSeconds);
    expect(recordTtlSeconds(Number.POSITIVE_INFINITY, now.getTime())).toBe(maxTtlSeconds);
    expect(maxTtlSeconds).toBe(2_147_483_647);
  });

  it('when the meeting ended long ago, then the record lives a minute', () => {
    expect(recordTtlSeconds(0, now.getTime())).toBe(60);
  });
});
