import { ServiceBusError, type ServiceBusReceivedMessage } from '@azure/service-bus';
import Long from 'long';
import { describe, expect, it } from 'vitest';
import {
  fromLong,
  fromServiceBusReceivedMessage,
  toBusError,
  toLong,
  toServiceBusMessage,
} from '../../../shared/adapters/serviceBus/serviceBusMessageBus.js';

// No Service Bus peer runs here (it speaks AMQP and has no local emulator we can install), so the
// adapter stays thin and these tests pin its mapping with the SDK's own types.
describe('Service Bus mapping', () => {
  it('when a message has an id, a session and properties, then the SDK message carries them with a JSON body', () => {
    expect(
      toServiceBusMessage({
        body: { eventId: 'e1' },
        messageId: 'sub1|users/u1/events/e1|updated|W/"abc"',
        sessionId: 't1:u1',
        subject: 'event-change',
        applicationProperties: { tenantId: 't1', attempt: 2, urgent: true },
      }),
    ).toEqual({
      body: { eventId: 'e1' },
      contentType: 'application/json',
      messageId: 'sub1|users/u1/events/e1|updated|W/"abc"',
      sessionId: 't1:u1',
      subject: 'event-change',
      applicationProperties: { tenantId: 't1', attempt: 2, urgent: true },
    });
  });

  it('when optional fields are absent, then the SDK message has none of them', () => {
    expect(toServiceBusMessage({ body: 'x' })).toEqual({ body: 'x', contentType: 'application/json' });
  });

  it('when the SDK delivers a message, then the handler sees body, id, delivery count, session and properties', () => {
    const enqueuedTimeUtc = new Date('2026-11-22T10:00:00Z');
    const received = {
      body: { eventId: 'e1' },
      messageId: 'm1',
      sessionId: 't1:u1',
      deliveryCount: 3,
      enqueuedTimeUtc,
      applicationProperties: { tenantId: 't1' },
      state: 'active',
      _rawAmqpMessage: { body: {} },
    } as unknown as ServiceBusReceivedMessage;

    expect(fromServiceBusReceivedMessage(received)).toEqual({
      body: { eventId: 'e1' },
      messageId: 'm1',
      deliveryCount: 3,
      enqueuedTime: enqueuedTimeUtc,
      sessionId: 't1:u1',
      applicationProperties: { tenantId: 't1' },
    });
  });

  it('when a sequence number exceeds 2^53, then it survives the trip through Long', () => {
    const big = 9_007_199_254_740_993n;
    expect(fromLong(toLong(big))).toBe(big);
    expect(fromLong(Long.fromNumber(42))).toBe(42n);
  });

  it('when Service Bus fails, then the failure becomes a typed error that says whether to retry', () => {
    expect(toBusError(new ServiceBusError('gone', 'MessageNotFound'), 'cancel')).toMatchObject({
      code: 'message-not-scheduled',
      transient: false,
    });
    expect(toBusError(new ServiceBusError('busy', 'ServiceBusy'), 'send')).toMatchObject({
      code: 'throttled',
      transient: true,
    });
    expect(toBusError(new ServiceBusError('x', 'ServiceCommunicationProblem'), 'send')).toMatchObject({
      code: 'dependency-unavailable',
      transient: true,
    });
    expect(toBusError(new Error('socket hang up'), 'send').cause).toBeInstanceOf(Error);
  });
});
