import { describe, expect, it } from 'vitest';
import {
  automaticRepliesFromGraph,
  instantOfDateTimeTimeZone,
  outOfOfficeEventsFromGraph,
  presenceFromBatchResults,
  presenceSteps,
} from '../../../../shared/adapters/graph/presenceMapping.js';

const ok = (body: unknown) => ({ id: 'x', status: 200, headers: {}, body });

describe('automatic replies from Graph', () => {
  it('when status is in any letter case, then it is read (Graph samples mix "Scheduled" and "scheduled")', () => {
    expect(automaticRepliesFromGraph({ status: 'AlwaysEnabled' })).toEqual({ status: 'alwaysEnabled' });
    expect(automaticRepliesFromGraph({ status: 'DISABLED' })).toEqual({ status: 'disabled' });
    expect(
      automaticRepliesFromGraph({
        status: 'Scheduled',
        scheduledStartDateTime: { dateTime: '2026-03-02T09:00:00.0000000', timeZone: 'UTC' },
        scheduledEndDateTime: { dateTime: '2026-03-06T17:30:00.0000000', timeZone: 'UTC' },
      }),
    ).toEqual({
      status: 'scheduled',
      window: { startMs: Date.parse('2026-03-02T09:00:00Z'), endMs: Date.parse('2026-03-06T17:30:00Z') },
    });
  });

  it('when the window is in a Windows or IANA zone, then it is converted to UTC, daylight saving included', () => {
    expect(
      instantOfDateTimeTimeZone({ dateTime: '2026-07-01T09:00:00', timeZone: 'W. Europe Standard Time' }),
    ).toBe(Date.parse('2026-07-01T07:00:00Z'));
    expect(
      instantOfDateTimeTimeZone({ dateTime: '2026-01-15T09:00:00.0000000', timeZone: 'Europe/Berlin' }),
    ).toBe(Date.parse('2026-01-15T08:00:00Z'));
    expect(
      instantOfDateTimeTimeZone({ dateTime: '2026-03-02T09:00:00', timeZone: 'Tokyo Standard Time' }),
    ).toBe(Date.parse('2026-03-02T00:00:00Z'));
  });

  it('when a scheduled window names an unknown zone or is missing, then the reading is unknown', () => {
    expect(
      automaticRepliesFromGraph({
        status: 'scheduled',
        scheduledStartDateTime: { dateTime: '2026-03-02T09:00:00', timeZone: 'Mars Standard Time' },
        scheduledEndDateTime: { dateTime: '2026-03-06T17:00:00', timeZone: 'UTC' },
      }),
    ).toBe('unknown');
    expect(automaticRepliesFromGraph({ status: 'scheduled' })).toBe('unknown');
    expect(automaticRepliesFromGraph({ status: 'sometimes' })).toBe('unknown');
  });
});

describe('out-of-office events from Graph', () => {
  it('when events are listed, then only those shown as out of office and not cancelled count', () => {
    const at = (time: string) => ({ dateTime: `2026-03-02T${time}:00.0000000`, timeZone: 'UTC' });
    const body = {
      value: [
        { showAs: 'oof', isCancelled: false, start: at('09:00'), end: at('12:00') },
        { showAs: 'OOF', start: at('13:00'), end: at('14:00') },
        { showAs: 'busy', start: at('10:00'), end: at('11:00') },
        { showAs: 'oof', isCancelled: true, start: at('15:00'), end: at('16:00') },
      ],
    };

    expect(outOfOfficeEventsFromGraph(body)).toEqual([
      { startMs: Date.parse('2026-03-02T09:00:00Z'), endMs: Date.parse('2026-03-02T12:00:00Z') },
      { startMs: Date.parse('2026-03-02T13:00:00Z'), endMs: Date.parse('2026-03-02T14:00:00Z') },
    ]);
  });
});

describe('presence from batch results', () => {
  it('when both steps succeed, then the user is read', () => {
    expect(presenceFromBatchResults(ok({ status: 'disabled' }), ok({ value: [] }))).toEqual({
      outcome: 'read',
      reading: { automaticReplies: { status: 'disabled' }, outOfOfficeEvents: [] },
    });
  });

  it("when a step failed, then the user's result names Graph's error as a service code", () => {
    const gone = {
      id: 'x',
      status: 404,
      headers: {},
      body: { error: { code: 'MailboxNotEnabledForRESTAPI', message: 'gone' } },
    };
    const throttled = { id: 'x', status: 429, headers: {}, body: { error: { code: 'TooManyRequests' } } };

    expect(presenceFromBatchResults(gone, ok({ value: [] }))).toEqual({
      outcome: 'failed',
      code: 'mailbox-gone',
    });
    expect(presenceFromBatchResults(ok({ status: 'disabled' }), throttled)).toEqual({
      outcome: 'failed',
      code: 'throttled',
    });
    expect(presenceFromBatchResults(undefined, undefined)).toEqual({
      outcome: 'failed',
      code: 'unexpected-response',
    });
  });

  it('when the steps are built, then both ask Graph for UTC and the view selects only what presence needs', () => {
    const steps = presenceSteps(3, 'user-1', {
      from: new Date('2026-03-02T09:00:00Z'),
      to: new Date('2026-03-02T09:30:00Z'),
    });

    expect(steps.map((step) => step.id)).toEqual(['replies-3', 'oof-3']);
    expect(steps.every((step) => step.headers?.Prefer === 'outlook.timezone="UTC"')).toBe(true);
    expect(steps[0]?.url).toBe('/users/user-1/mailboxSettings/automaticRepliesSetting');
    expect(steps[1]?.url).toContain('%24select=showAs%2CisCancelled%2Cstart%2Cend');
  });
});
