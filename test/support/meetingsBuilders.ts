import type { CalendarEvent } from '../../shared/calendar/calendarEvent.js';
import type { MailboxRef } from '../../shared/calendar/mailbox.js';
import { keyOf, type MeetingDetails, meetingDetailsSchema } from '../../shared/meetings/meetingRecord.js';
import type { MeetingsContext } from '../../shared/meetings/meetingsContext.js';
import { TenantSettingsCache } from '../../shared/meetings/tenantSettings.js';
import { Counters } from '../../shared/observability/counters.js';
import { ManualClock } from '../../shared/time/clock.js';
import type { EventChangeMessage } from '../../shared/watch/messages.js';
import { FakeCalendar } from './fakes/fakeCalendar.js';
import { FakeJoinDetails } from './fakes/fakeJoinDetails.js';
import { InMemoryEventTraces } from './fakes/inMemoryEventTraces.js';
import { InMemoryMeetingRecords } from './fakes/inMemoryMeetingRecords.js';
import { InMemoryTenantSettings } from './fakes/inMemoryTenantSettings.js';
import { InMemoryWatchedUsers } from './fakes/inMemoryWatchedUsers.js';
import { TransparentCipher } from './fakes/transparentCipher.js';
import { buildWatchedUser, watchStart, watchTenantId, watchUserId } from './watchBuilders.js';

export const meetingsTenantId = watchTenantId;
/** The watched user whose calendar the tests change: Alice, the organiser. */
export const aliceId = watchUserId;
export const alice: MailboxRef = { tenantId: meetingsTenantId, userId: aliceId };
export const aliceAddress = 'alice@contoso.example';
export const meetingsStart = watchStart;

/** Alice's copy of a one-off meeting she organises, tomorrow at nine, without keyword or video address. */
export function buildCalendarEvent(overrides: Partial<CalendarEvent> = {}): CalendarEvent {
  return {
    id: 'AAMkAGI2-event-1=',
    version: 'W/"change-0"',
    changeKey: 'change-0',
    subject: 'Planning',
    body: { contentType: 'html', content: '<html><body><p>Agenda: budget</p></body></html>' },
    start: new Date('2026-11-23T09:00:00Z'),
    end: new Date('2026-11-23T09:30:00Z'),
    isAllDay: false,
    organizer: { name: 'Alice Andersson', address: aliceAddress },
    isOrganizer: true,
    invitees: [{ name: 'Björn', address: 'bjorn@contoso.example', kind: 'required', response: 'none' }],
    location: 'Room 12',
    kind: 'single',
    seriesMasterId: null,
    isCancelled: false,
    responseStatus: 'organizer',
    decorationMarker: null,
    ...overrides,
  };
}

/** A change notification for Alice's event, from her current subscription. */
export function buildEventChange(overrides: Partial<EventChangeMessage> = {}): EventChangeMessage {
  return {
    version: 1,
    tenantId: meetingsTenantId,
    userId: aliceId,
    eventId: 'AAMkAGI2-event-1=',
    changeType: 'updated',
    changeKey: null,
    source: 'notification',
    subscriptionId: 'subscription-1',
    observedAt: meetingsStart,
    ...overrides,
  };
}

/** The meetings context on fakes of its ports, with Alice watched and a clock that moves by hand. */
export interface MeetingsHarness {
  context: MeetingsContext;
  calendar: FakeCalendar;
  joinDetails: FakeJoinDetails;
  records: InMemoryMeetingRecords;
  traces: InMemoryEventTraces;
  users: InMemoryWatchedUsers;
  tenantSettingsStore: InMemoryTenantSettings;
  clock: ManualClock;
  counters: Counters;
  /** What Alice's record of an event holds, opened; undefined when she has none. */
  recordOf(eventId: string): Promise<MeetingDetails | undefined>;
  /** Alice's trace of an event. */
  traceOf(eventId: string): ReturnType<InMemoryEventTraces['find']>;
}

export function buildMeetings(overrides: Partial<MeetingsContext> = {}): MeetingsHarness {
  const clock = new ManualClock(meetingsStart);
  const users = new InMemoryWatchedUsers(clock);
  users.seed(buildWatchedUser({ state: 'activated', subscriptionId: 'subscription-1' }));
  const calendar = new FakeCalendar();
  const joinDetails = new FakeJoinDetails();
  const records = new InMemoryMeetingRecords();
  const traces = new InMemoryEventTraces();
  const tenantSettingsStore = new InMemoryTenantSettings();
  const counters = new Counters();
  const cipher = new TransparentCipher();
  const context: MeetingsContext = {
    users,
    calendar,
    records,
    traces,
    cipher,
    joinDetails,
    tenantSettingsStore,
    tenantSettings: new TenantSettingsCache(tenantSettingsStore, clock),
    clock,
    counters,
    ...overrides,
  };
  return {
    context,
    calendar,
    joinDetails,
    records,
    traces,
    users,
    tenantSettingsStore,
    clock,
    counters,
    async recordOf(eventId) {
      const record = await records.find(aliceId, keyOf(eventId));
      return record && cipher.open(aliceId, record.id, record.sealed, meetingDetailsSchema);
    },
    traceOf: (eventId) => traces.find({ id: keyOf(eventId), userId: aliceId }),
  };
}
