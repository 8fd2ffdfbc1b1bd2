import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InProcessBus } from '../../../dev/inProcessBus.js';
import {
  complete,
  deadLetter,
  type ReceivedMessage,
  type Settlement,
} from '../../../shared/bus/messageBus.js';
import { AppError } from '../../../shared/errors.js';
import {
  type MessageActions,
  type QueueHostServices,
  runQueueFunctionOnServiceBus,
} from '../../../shared/hosting/azureFunctionsHost.js';
import type { QueueFunctionDefinition } from '../../../shared/hosting/functionDefinitions.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { InMemoryDeadLetterRecords } from '../../support/fakes/inMemoryDeadLetterRecords.js';
import { buildInvocationContext, type LoggedLine } from '../../support/invocationContext.js';

/** Records what the function did with the message, as the Service Bus binding's actions would see it. */
function buildRecordingActions() {
  const calls: Array<{ action: string; messageId: unknown; extraArguments?: unknown[] }> = [];
  const actions: MessageActions = {
    async complete(message) {
      calls.push({ action: 'complete', messageId: message.messageId });
    },
    async abandon(message) {
      calls.push({ action: 'abandon', messageId: message.messageId });
    },
    // The binding's real signature: (message, propertiesToModify?, reason?, description?). Whatever
    // follows the message is recorded, for 0.2.0-preview fails on a reason or description.
    async deadletter(message: ServiceBusReceivedMessage, ...extraArguments: unknown[]) {
      calls.push({ action: 'deadletter', messageId: message.messageId, extraArguments });
    },
  };
  return { actions, calls };
}

const tenantA = '11111111-1111-4111-8111-111111111111';

function buildMessage(overrides: Partial<ServiceBusReceivedMessage> = {}): ServiceBusReceivedMessage {
  return {
    body: { eventId: 'e1' },
    messageId: 'm1',
    deliveryCount: 1,
    ...overrides,
  } as ServiceBusReceivedMessage;
}

let bus: InProcessBus;
let deadLetters: InMemoryDeadLetterRecords;
let services: QueueHostServices;

beforeEach(() => {
  // One clock for the bus and the services: the retry's time is compared with the time it was made.
  const clock = new ManualClock('2026-11-22T10:00:00Z');
  bus = new InProcessBus({ clock });
  deadLetters = new InMemoryDeadLetterRecords();
  services = { bus, clock, deadLetters };
});

afterEach(async () => {
  await bus.close();
});

function buildDefinition(
  handle: (message: ReceivedMessage) => Promise<Settlement>,
): QueueFunctionDefinition<QueueHostServices> {
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
      services,
      buildInvocationContext(),
    );

    expect(seen[0]?.body).toEqual({ eventId: 'e1' });
    expect(calls).toEqual([{ action: 'complete', messageId: 'm1' }]);
  });

  it('when the handler dead-letters, then the binding is called with the message alone and the reason lands in the store', async () => {
    const { actions, calls } = buildRecordingActions();
    const definition = buildDefinition(async () => deadLetter('schema-invalid', 'eventId: expected string'));

    await runQueueFunctionOnServiceBus(
      definition,
      { messages: [buildMessage({ body: { tenantId: tenantA, eventId: 7 } })], actions },
      services,
      buildInvocationContext(),
    );

    expect(calls).toEqual([{ action: 'deadletter', messageId: 'm1', extraArguments: [] }]);
    expect(deadLetters.all()).toEqual([
      expect.objectContaining({
        queue: 'event-changes',
        messageId: 'm1',
        tenantId: tenantA,
        reason: 'schema-invalid',
        description: 'eventId: expected string',
        deadLetteredAt: '2026-11-22T10:00:00.000Z',
      }),
    ]);
  });

  it('when the handler throws a permanent error, then the message is dead-lettered and its code recorded', async () => {
    const { actions, calls } = buildRecordingActions();
    const definition = buildDefinition(async () => {
      throw new AppError('not-found', 'event is gone');
    });

    await runQueueFunctionOnServiceBus(
      definition,
      { messages: buildMessage(), actions },
      services,
      buildInvocationContext(),
    );

    expect(calls).toEqual([{ action: 'deadletter', messageId: 'm1', extraArguments: [] }]);
    expect(deadLetters.all()).toEqual([
      expect.objectContaining({ reason: 'not-found', description: 'event is gone', tenantId: null }),
    ]);
  });

  it('when the record cannot be saved, then the message is dead-lettered all the same and the reason logged', async () => {
    const { actions, calls } = buildRecordingActions();
    const logged: LoggedLine[] = [];
    services = {
      ...services,
      deadLetters: {
        save: async () => {
          throw new AppError('dependency-unavailable', 'Cosmos down');
        },
        list: async () => [],
        remove: async () => undefined,
      },
    };
    const definition = buildDefinition(async () => deadLetter('schema-invalid', 'eventId: expected string'));

    await runQueueFunctionOnServiceBus(
      definition,
      { messages: buildMessage(), actions },
      services,
      buildInvocationContext(logged),
    );

    expect(calls).toEqual([{ action: 'deadletter', messageId: 'm1', extraArguments: [] }]);
    expect(logged.map((line) => line.message).join('\n')).toMatch(
      /schema-invalid: eventId: expected string.*could not be saved \(dependency-unavailable\)/,
    );
  });

  it('when the handler throws a transient error, then a retry is scheduled for later and this copy completed', async () => {
    const { actions, calls } = buildRecordingActions();
    const definition = buildDefinition(async () => {
      throw new AppError('throttled', 'Graph said 429', { retryAfterMs: 30_000 });
    });

    await runQueueFunctionOnServiceBus(
      definition,
      { messages: buildMessage(), actions },
      services,
      buildInvocationContext(),
    );

    expect(calls).toEqual([{ action: 'complete', messageId: 'm1' }]);
    expect(bus.scheduledMessageCount('event-changes')).toBe(1);
  });

  it('when even the retry cannot be scheduled, then the message is abandoned and the invocation fails', async () => {
    const { actions, calls } = buildRecordingActions();
    await bus.close();
    const definition = buildDefinition(async () => {
      throw new AppError('dependency-unavailable', 'Webex down');
    });

    await expect(
      runQueueFunctionOnServiceBus(
        definition,
        { messages: buildMessage(), actions },
        services,
        buildInvocationContext(),
      ),
    ).rejects.toMatchObject({ code: 'dependency-unavailable' });
    expect(calls).toEqual([{ action: 'abandon', messageId: 'm1' }]);
  });

  it('when the binding delivers no message context, then it fails loudly instead of completing', async () => {
    const definition = buildDefinition(async () => complete);

    await expect(
      runQueueFunctionOnServiceBus(definition, { eventId: 'e1' }, services, buildInvocationContext()),
    ).rejects.toThrow(/no message context/);
  });
});
