import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { describe, expect, it } from 'vitest';
import {
  complete,
  deadLetter,
  type ReceivedMessage,
  type Settlement,
} from '../../../shared/bus/messageBus.js';
import { AppError } from '../../../shared/errors.js';
import {
  type MessageActions,
  runQueueFunctionOnServiceBus,
} from '../../../shared/hosting/azureFunctionsHost.js';
import type { QueueFunctionDefinition } from '../../../shared/hosting/functionDefinitions.js';
import { buildInvocationContext } from '../../support/invocationContext.js';

/** Records what the function did with the message, as the Service Bus binding's actions would see it. */
function buildRecordingActions() {
  const calls: Array<{ action: string; messageId: unknown; reason?: string; description?: string }> = [];
  const actions: MessageActions = {
    async complete(message) {
      calls.push({ action: 'complete', messageId: message.messageId });
    },
    async abandon(message) {
      calls.push({ action: 'abandon', messageId: message.messageId });
    },
    async deadletter(message, _properties, reason, description) {
      calls.push({
        action: 'deadletter',
        messageId: message.messageId,
        ...(reason === undefined ? {} : { reason }),
        ...(description === undefined ? {} : { description }),
      });
    },
  };
  return { actions, calls };
}

function buildMessage(overrides: Partial<ServiceBusReceivedMessage> = {}): ServiceBusReceivedMessage {
  return {
    body: { eventId: 'e1' },
    messageId: 'm1',
    deliveryCount: 1,
    ...overrides,
  } as ServiceBusReceivedMessage;
}

function buildDefinition(
  handle: (message: ReceivedMessage) => Promise<Settlement>,
): QueueFunctionDefinition<undefined> {
  return {
    kind: 'queue',
    name: 'processEvent',
    queueName: 'event-changes',
    handle: (message) => handle(message),
  };
}

describe('runQueueFunctionOnServiceBus', () => {
  it('when the handler completes, then the message is completed', async () => {
    const { actions, calls } = buildRecordingActions();
    const seen: ReceivedMessage[] = [];
    const definition = buildDefinition(async (message) => {
      seen.push(message);
      return complete;
    });

    await runQueueFunctionOnServiceBus(
      definition,
      { messages: buildMessage(), actions },
      undefined,
      buildInvocationContext(),
    );

    expect(seen[0]?.body).toEqual({ eventId: 'e1' });
    expect(calls).toEqual([{ action: 'complete', messageId: 'm1' }]);
  });

  it('when the handler dead-letters, then the reason and description reach Service Bus', async () => {
    const { actions, calls } = buildRecordingActions();
    const definition = buildDefinition(async () => deadLetter('schema-invalid', 'eventId: expected string'));

    await runQueueFunctionOnServiceBus(
      definition,
      { messages: [buildMessage()], actions },
      undefined,
      buildInvocationContext(),
    );

    expect(calls).toEqual([
      {
        action: 'deadletter',
        messageId: 'm1',
        reason: 'schema-invalid',
        description: 'eventId: expected string',
      },
    ]);
  });

  it('when the handler throws a permanent error, then the message is dead-lettered with its code', async () => {
    const { actions, calls } = buildRecordingActions();
    const definition = buildDefinition(async () => {
      throw new AppError('not-found', 'event is gone');
    });

    await runQueueFunctionOnServiceBus(
      definition,
      { messages: buildMessage(), actions },
      undefined,
      buildInvocationContext(),
    );

    expect(calls).toEqual([
      { action: 'deadletter', messageId: 'm1', reason: 'not-found', description: 'event is gone' },
    ]);
  });

  it('when the handler throws a transient error, then the message is abandoned and the invocation fails', async () => {
    const { actions, calls } = buildRecordingActions();
    const definition = buildDefinition(async () => {
      throw new AppError('throttled', 'Graph said 429');
    });

    await expect(
      runQueueFunctionOnServiceBus(
        definition,
        { messages: buildMessage(), actions },
        undefined,
        buildInvocationContext(),
      ),
    ).rejects.toMatchObject({ code: 'throttled' });
    expect(calls).toEqual([{ action: 'abandon', messageId: 'm1' }]);
  });

  it('when the binding delivers no message context, then it fails loudly instead of completing', async () => {
    const definition = buildDefinition(async () => complete);

    await expect(
      runQueueFunctionOnServiceBus(definition, { eventId: 'e1' }, undefined, buildInvocationContext()),
    ).rejects.toThrow(/no message context/);
  });
});
