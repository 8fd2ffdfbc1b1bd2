import { describe, expect, it } from 'vitest';
import { complete, type ReceivedMessage, retryAttemptProperty } from '../../../shared/bus/messageBus.js';
import { AppError } from '../../../shared/errors.js';
import {
  defaultTransientRetry,
  type QueueFunctionDefinition,
  retryDelaysMs,
  settleQueueMessage,
} from '../../../shared/hosting/functionDefinitions.js';
import { buildInvocationContext } from '../../support/invocationContext.js';

const graphRedeliveryWindowMs = 4 * 3_600_000;

/** A consumer whose dependency is down for good. */
const outage: QueueFunctionDefinition<undefined> = {
  kind: 'queue',
  name: 'outage',
  queueName: 'event-changes',
  async handle() {
    throw new AppError('dependency-unavailable', 'Graph answered 503');
  },
};

function delivery(previousAttempts: number): ReceivedMessage {
  return {
    body: {},
    messageId: `m-${previousAttempts}`,
    deliveryCount: 1,
    enqueuedTime: undefined,
    applicationProperties: previousAttempts === 0 ? {} : { [retryAttemptProperty]: previousAttempts },
  };
}

describe('the default schedule of transient retries', () => {
  it('when a dependency stays down, then the pauses add up to at least Graph’s 4-hour redelivery window and the last attempt dead-letters', async () => {
    const delays: number[] = [];
    let attempts = 0;
    for (;;) {
      const settlement = await settleQueueMessage(
        outage,
        delivery(attempts),
        undefined,
        buildInvocationContext(),
      );
      attempts += 1;
      if (settlement.outcome !== 'retry-later') {
        expect(settlement).toEqual({
          outcome: 'dead-letter',
          reason: 'retries-exhausted',
          description: 'dependency-unavailable: Graph answered 503',
        });
        break;
      }
      expect(settlement.attempt).toBe(attempts);
      delays.push(settlement.delayMs);
    }

    const totalMs = delays.reduce((sum, delay) => sum + delay, 0);
    expect(attempts).toBe(defaultTransientRetry.maxAttempts);
    expect(delays).toEqual(retryDelaysMs(defaultTransientRetry));
    expect(totalMs).toBeGreaterThanOrEqual(graphRedeliveryWindowMs);
    expect(totalMs).toBe(15_155_000);
    expect(delays.slice(0, 3)).toEqual([5_000, 10_000, 20_000]);
    expect(Math.max(...delays)).toBe(30 * 60_000);
  });

  it('when the consumer succeeds on a retry, then it completes', async () => {
    const recovering: QueueFunctionDefinition<undefined> = { ...outage, handle: async () => complete };

    expect(await settleQueueMessage(recovering, delivery(12), undefined, buildInvocationContext())).toEqual(
      complete,
    );
  });
});
