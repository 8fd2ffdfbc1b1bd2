import type { Calendar } from '../calendar/calendar.js';
import type { EnvelopeCipher } from '../crypto/envelopeEncryption.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import type { WatchedUsers } from '../watch/watchedUsers.js';
import type { EventTraces } from './eventTraces.js';
import type { JoinDetailsProvider } from './joinDetailsProvider.js';
import type { JoinNotificationHooks } from './joinNotificationHooks.js';
import type { JoinServiceRecovery } from './joinServiceRecovery.js';
import type { MeetingRecords } from './meetingRecords.js';
import type { TenantSettingsCache, TenantSettingsStore } from './tenantSettings.js';

/** What the meetings use cases work with: ports, and the cipher that seals what records hold. */
export interface MeetingsContext {
  /** Whose calendars are watched: a change of anyone else's is ignored; a gone mailbox puts its user in Error. */
  users: Pick<WatchedUsers, 'find' | 'update'>;
  calendar: Calendar;
  records: MeetingRecords;
  traces: EventTraces;
  /** Seals a record's details under the user's data key; opens them for the meetings list. */
  cipher: Pick<EnvelopeCipher, 'seal' | 'open'>;
  joinDetails: JoinDetailsProvider;
  /** Reconciles the mailboxes that waited on the join service once it answers again (optional in tests). */
  joinServiceRecovery?: JoinServiceRecovery;
  /** What administrators set, read through `tenantSettings` on the processing path. */
  tenantSettingsStore: TenantSettingsStore;
  tenantSettings: TenantSettingsCache;
  /** Keeps the Join notifications in step with the records (optional: tests of other parts leave it out). */
  joinNotifications?: JoinNotificationHooks;
  clock: Clock;
  counters: Counters;
}
