import { describe, expect, it } from 'vitest';
import { readEventTrace } from '../../../shared/meetings/eventTraceAdmin.js';
import { processEventChange } from '../../../shared/meetings/processEventChange.js';
import { readTenantSettings, replaceTenantSettings } from '../../../shared/meetings/tenantSettingsAdmin.js';
import {
  alice,
  buildCalendarEvent,
  buildEventChange,
  buildMeetings,
  meetingsTenantId,
} from '../../support/meetingsBuilders.js';

describe('tenant settings for administrators', () => {
  it('when nothing was set, then the defaults apply', async () => {
    const meetings = buildMeetings();

    expect(await readTenantSettings(meetings.context, meetingsTenantId)).toMatchObject({
      defaultLanguage: 'en',
      leadTimeMinutes: 5,
      keywords: { '@webex': 'personal-room', '@meet': 'space' },
    });
  });

  it('when settings are replaced, then unset ones take their defaults and processing uses the new ones at once', async () => {
    const meetings = buildMeetings();
    await meetings.context.tenantSettings.get(meetingsTenantId);

    const settings = await replaceTenantSettings(meetings.context, meetingsTenantId, {
      keywords: { '@video': 'personal-room' },
    });
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@video' }));
    const outcome = await processEventChange(meetings.context, buildEventChange());

    expect(settings).toMatchObject({ keywords: { '@video': 'personal-room' }, defaultLanguage: 'en' });
    expect(meetings.tenantSettingsStore.updatedAt(meetingsTenantId)).toEqual(meetings.clock.now());
    expect(outcome).toBe('decorated');
  });
});

describe('an event’s trace for administrators', () => {
  it('when the event was processed, then its entries come back; for another tenant, not-found', async () => {
    const meetings = buildMeetings();
    meetings.calendar.put(alice, buildCalendarEvent({ location: '@webex' }));
    await processEventChange(meetings.context, buildEventChange());
    const query = { tenantId: meetingsTenantId, userId: alice.userId, eventId: 'AAMkAGI2-event-1=' };

    expect(await readEventTrace(meetings.context, query)).toMatchObject([{ outcome: 'decorated' }]);
    await expect(
      readEventTrace(meetings.context, { ...query, tenantId: 'another-tenant' }),
    ).rejects.toMatchObject({
      code: 'not-found',
    });
    await expect(readEventTrace(meetings.context, { ...query, eventId: 'unknown' })).rejects.toMatchObject({
      code: 'not-found',
    });
  });
});
