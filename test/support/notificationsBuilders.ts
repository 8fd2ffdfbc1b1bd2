import type { MeetingDetails, MeetingRecord } from '../../shared/meetings/meetingRecord.js';
import { effectiveSettings, type TenantSettingsInput } from '../../shared/meetings/tenantSettings.js';
import type { JoinNotificationsContext } from '../../shared/notifications/joinNotificationsContext.js';
import type {
  IntegrationNotifier,
  JoinNotice,
  PersonNotifier,
  PersonRecipient,
  RoomBooking,
  RoomDevices,
} from '../../shared/notifications/joinNotifier.js';
import { Counters } from '../../shared/observability/counters.js';
import { ManualClock } from '../../shared/time/clock.js';
import { InMemoryJoinDeliveries } from './fakes/inMemoryJoinDeliveries.js';
import { InMemoryMeetingRecords } from './fakes/inMemoryMeetingRecords.js';
import { RecordingBus } from './fakes/recordingBus.js';
import { TransparentCipher } from './fakes/transparentCipher.js';

export const notificationsTenantId = 'tenant-1';
export const organizerId = 'user-alice';

/** The organiser's sealed view of a meeting with a Webex link, two invitees and a room. */
export function buildMeetingDetails(overrides: Partial<MeetingDetails> = {}): MeetingDetails {
  return {
    eventId: 'event-1',
    seriesMasterId: null,
    subject: 'Quarterly review',
    agenda: 'Agenda',
    isAllDay: false,
    isOrganizer: true,
    responseStatus: 'organizer',
    organizer: { name: 'Alice', address: 'alice@contoso.example' },
    invitees: [
      { name: 'Björn', address: 'bjorn@contoso.example', type: 'required', response: 'accepted' },
      { name: 'Kenji', address: 'kenji@contoso.example', type: 'optional', response: 'none' },
      { name: 'Board Room', address: 'boardroom@contoso.example', type: 'resource', response: 'accepted' },
    ],
    join: { link: 'https://contoso.webex.com/meet/alice', sipAddress: 'alice@contoso.webex.com' },
    ...overrides,
  };
}

/** A recording channel for people; `failNext` makes the next sends throw, as a Webex outage would. */
export class RecordingPeople implements PersonNotifier {
  readonly channel = 'webex-message' as const;
  readonly sent: Array<{ notice: JoinNotice; recipient: PersonRecipient }> = [];
  failNext = 0;
  /** What the failing sends throw. */
  failWith: () => unknown = () => new Error('webex unavailable');

  async notifyPerson(notice: JoinNotice, recipient: PersonRecipient): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw this.failWith();
    }
    this.sent.push({ notice, recipient });
  }
}

export class RecordingIntegrations implements IntegrationNotifier {
  readonly channel = 'cloudevents' as const;
  readonly sent: JoinNotice[] = [];

  async notifyIntegrations(notice: JoinNotice): Promise<void> {
    this.sent.push(notice);
  }
}

export class RecordingRooms implements RoomDevices {
  readonly lists = new Map<string, readonly RoomBooking[]>();

  async putBookings(roomAddress: string, bookings: readonly RoomBooking[]): Promise<'pushed' | 'no-device'> {
    this.lists.set(roomAddress, bookings);
    return 'pushed';
  }
}

export interface NotificationsHarness {
  context: JoinNotificationsContext;
  records: InMemoryMeetingRecords;
  bus: RecordingBus;
  markers: InMemoryJoinDeliveries;
  people: RecordingPeople;
  integrations: RecordingIntegrations;
  rooms: RecordingRooms;
  clock: ManualClock;
  counters: Counters;
}

export function buildNotifications(
  options: { now?: string; settings?: TenantSettingsInput; locales?: Record<string, string> } = {},
): NotificationsHarness {
  const clock = new ManualClock(options.now ?? '2026-11-23T08:00:00Z');
  const records = new InMemoryMeetingRecords();
  const bus = new RecordingBus();
  const markers = new InMemoryJoinDeliveries();
  const people = new RecordingPeople();
  const integrations = new RecordingIntegrations();
  const rooms = new RecordingRooms();
  const counters = new Counters();
  const settings = effectiveSettings(options.settings);
  const context: JoinNotificationsContext = {
    records,
    cipher: new TransparentCipher(),
    tenantSettings: { get: async () => settings },
    bus,
    markers,
    people: [people],
    integrations: [integrations],
    rooms,
    tenantDomains: { verifiedDomainsOf: async () => ['contoso.example', 'contoso.onmicrosoft.com'] },
    languages: { localeOf: async (_tenant, address) => options.locales?.[address] },
    clock,
    counters,
  };
  return { context, records, bus, markers, people, integrations, rooms, clock, counters };
}

/** A record of the organiser's copy, sealed with the harness's cipher. */
export async function buildRecord(
  harness: NotificationsHarness,
  details: MeetingDetails = buildMeetingDetails(),
  overrides: Partial<MeetingRecord> = {},
): Promise<MeetingRecord> {
  const id = overrides.id ?? 'record-1';
  const userId = overrides.userId ?? organizerId;
  return {
    id,
    userId,
    tenantId: notificationsTenantId,
    start: '2026-11-23T09:00:00.000Z',
    end: '2026-11-23T09:30:00.000Z',
    state: 'scheduled',
    seriesKey: null,
    ttl: 86_400,
    sealed: await harness.context.cipher.seal(userId, id, details),
    updatedAt: harness.clock.now().toISOString(),
    ...overrides,
  };
}
