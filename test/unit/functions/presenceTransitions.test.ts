import { describe, expect, it } from 'vitest';
import { presenceTransitionsFunction } from '../../../functions/presenceTransitions.js';
import type { ReceivedMessage } from '../../../shared/bus/messageBus.js';
import { settleQueueMessage } from '../../../shared/hosting/functionDefinitions.js';
import { Counters } from '../../../shared/observability/counters.js';
import type { PresenceContext } from '../../../shared/presence/presenceContext.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { InMemoryPresenceStates } from '../../support/fakes/inMemoryPresenceStates.js';
import { InMemoryWatchedUsers } from '../../support/fakes/inMemoryWatchedUsers.js';
import { buildInvocationContext } from '../../support/invocationContext.js';
import { buildWatchedUser, watchTenantId, watchUserId } from '../../support/watchBuilders.js';

function buildContext(): PresenceContext {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  const users = new InMemoryWatchedUsers(clock);
  users.seed(buildWatchedUser({ state: 'activated' }));
  return {
    users,
    source: {
      readPresence: async () => {
        throw new Error('a transition never calls Graph');
      },
    },
    states: new InMemoryPresenceStates(),
    bus: {
      schedule: async () => 1n,
      cancelScheduled: async () => undefined,
    },
    publisher: { publishPresence: async () => undefined },
    clock,
    counters: new Counters(),
    pollPeriodMs: 15 * 60_000,
  };
}

function delivery(body: unknown): ReceivedMessage {
  return {
    body,
    messageId: 'presence|t|u|1',
    deliveryCount: 1,
    enqueuedTime: undefined,
    applicationProperties: {},
  };
}

describe('presence-transitions consumer', () => {
  it('when the body is not a transition, then the message is dead-lettered with the reason', async () => {
    const settlement = await settleQueueMessage(
      presenceTransitionsFunction,
      delivery({ version: 1, tenantId: watchTenantId, userId: watchUserId, at: 'tomorrow' }),
      buildContext(),
      buildInvocationContext(),
    );

    expect(settlement).toMatchObject({ outcome: 'dead-letter', reason: 'input-invalid' });
  });

  it('when the user was never read, then the message completes and nothing is published', async () => {
    const settlement = await settleQueueMessage(
      presenceTransitionsFunction,
      delivery({ version: 1, tenantId: watchTenantId, userId: watchUserId, at: '2026-03-02T09:00:00.000Z' }),
      buildContext(),
      buildInvocationContext(),
    );

    expect(settlement).toEqual({ outcome: 'complete' });
  });
});
