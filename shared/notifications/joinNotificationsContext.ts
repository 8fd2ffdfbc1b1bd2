import type { MessageBus } from '../bus/messageBus.js';
import type { EnvelopeCipher } from '../crypto/envelopeEncryption.js';
import type { MeetingRecords } from '../meetings/meetingRecords.js';
import type { TenantSettings } from '../meetings/tenantSettings.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import type { JoinDeliveryMarkers } from './joinDeliveries.js';
import type { IntegrationNotifier, PersonNotifier, RecipientLanguages, RoomDevices } from './joinNotifier.js';
import type { TenantMailDomains } from './tenantMailDomains.js';

/** What scheduling and sending Join notifications work with: ports only. */
export interface JoinNotificationsContext {
  records: MeetingRecords;
  cipher: Pick<EnvelopeCipher, 'seal' | 'open'>;
  tenantSettings: { get(tenantId: string): Promise<TenantSettings> };
  bus: Pick<MessageBus, 'send' | 'schedule' | 'cancelScheduled'>;
  markers: JoinDeliveryMarkers;
  /** Channels that tell people, and those that tell integrations; each sends only where the tenant enabled it. */
  people: readonly PersonNotifier[];
  integrations: readonly IntegrationNotifier[];
  rooms: RoomDevices;
  /** Which room mailboxes are the tenant's own: only their devices get its booking lists. */
  tenantDomains: TenantMailDomains;
  languages: RecipientLanguages;
  clock: Clock;
  counters: Pick<Counters, 'increment'>;
}
