import { InProcessBus } from '../../dev/inProcessBus.js';
import { graphNotificationReader } from '../../shared/adapters/graph/graphChangeNotifications.js';
import { sessionQueueNames } from '../../shared/bus/queues.js';
import { Counters } from '../../shared/observability/counters.js';
import { ManualClock } from '../../shared/time/clock.js';
import { ClientStateSigner } from '../../shared/watch/clientState.js';
import { DroppedNotificationSummary } from '../../shared/watch/droppedNotifications.js';
import type { LifecycleMessage } from '../../shared/watch/messages.js';
import type { WatchContext } from '../../shared/watch/watchContext.js';
import { newWatchedUser, type WatchedUser } from '../../shared/watch/watchedUser.js';
import { FakeMailboxWatch } from './fakes/fakeMailboxWatch.js';
import { InMemoryRecordedEvents } from './fakes/inMemoryRecordedEvents.js';
import { InMemoryWatchedUsers } from './fakes/inMemoryWatchedUsers.js';

export const watchTenantId = '7c1a2b3d-0000-4e5f-8a9b-0c1d2e3f4a5b';
export const watchUserId = '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01';
export const watchStart = '2026-11-22T10:00:00.000Z';

export function buildWatchedUser(overrides: Partial<WatchedUser> = {}): WatchedUser {
  return {
    ...newWatchedUser(watchTenantId, watchUserId, new Date(watchStart)),
    // Fixtures start without a slot, so tests that care about reconciliation set one.
    reconciliationSlot: null,
    ...overrides,
  };
}

export function buildLifecycleMessage(overrides: Partial<LifecycleMessage> = {}): LifecycleMessage {
  return {
    version: 1,
    tenantId: watchTenantId,
    userId: watchUserId,
    subscriptionId: 'subscription-1',
    lifecycleEvent: 'missed',
    observedAt: watchStart,
    ...overrides,
  };
}

/** A watch context on fakes of its own ports, the real in-process bus and a clock that moves by hand. */
export interface WatchHarness {
  context: WatchContext;
  users: InMemoryWatchedUsers;
  mailboxes: FakeMailboxWatch;
  /** The meeting records' event ids, as the reconciliation sees them. */
  recorded: InMemoryRecordedEvents;
  bus: InProcessBus;
  clock: ManualClock;
  counters: Counters;
  /** What was sent to a queue, oldest first. */
  sent(queue: string): Array<{ messageId: string; body: Record<string, unknown> }>;
}

export function buildWatch(overrides: Partial<WatchContext> = {}): WatchHarness {
  const clock = new ManualClock(watchStart);
  const users = new InMemoryWatchedUsers(clock);
  const mailboxes = new FakeMailboxWatch();
  const bus = new InProcessBus({ clock, sessionQueues: sessionQueueNames });
  const counters = new Counters();
  const recorded = new InMemoryRecordedEvents();
  const context: WatchContext = {
    users,
    mailboxes,
    bus,
    clock,
    clientState: new ClientStateSigner(new Uint8Array(32).fill(7)),
    notifications: graphNotificationReader,
    counters,
    droppedNotifications: new DroppedNotificationSummary(clock),
    recordedEvents: recorded,
    publicBaseUrl: 'https://watch.example/',
    ...overrides,
  };
  return {
    context,
    users,
    mailboxes,
    recorded,
    bus,
    clock,
    counters,
    sent: (queue) =>
      bus.diagnostics(queue).recent.map((entry) => ({
        messageId: entry.messageId,
        body: entry.body as Record<string, unknown>,
      })),
  };
}
