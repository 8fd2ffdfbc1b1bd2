import type { MessageBus } from '../bus/messageBus.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import type { WatchedUsers } from '../watch/watchedUsers.js';
import type { PresencePublisher } from './presencePublisher.js';
import type { PresenceSource } from './presenceSource.js';
import type { PresenceStates } from './presenceState.js';

/** What out-of-office presence needs: ports only. */
export interface PresenceContext {
  /** Which users are activated (only they are polled). */
  users: Pick<WatchedUsers, 'activated' | 'find'>;
  source: PresenceSource;
  states: PresenceStates;
  bus: Pick<MessageBus, 'schedule' | 'cancelScheduled'>;
  publisher: PresencePublisher;
  clock: Clock;
  counters: Counters;
  /** Each activated user is read once per this period (`PRESENCE_POLL_MINUTES`). */
  pollPeriodMs: number;
}
