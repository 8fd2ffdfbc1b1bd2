import type { TokenCredential } from '@azure/identity';
import {
  isServiceBusError,
  ServiceBusClient,
  type ServiceBusMessage,
  type ServiceBusReceivedMessage,
  type ServiceBusSender,
} from '@azure/service-bus';
import Long from 'long';
import type { MessageBus, OutgoingMessage, ReceivedMessage, SequenceNumber } from '../../bus/messageBus.js';
import { queueNames } from '../../bus/queues.js';
import { AppError } from '../../errors.js';
import { withTraceContext } from '../../observability/telemetry.js';

/** Maps our outgoing message to the SDK's: JSON body, id for duplicate detection, session, properties. */
export function toServiceBusMessage(message: OutgoingMessage): ServiceBusMessage {
  return {
    body: message.body,
    contentType: 'application/json',
    ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
    ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
    ...(message.subject === undefined ? {} : { subject: message.subject }),
    ...(message.correlationId === undefined ? {} : { correlationId: message.correlationId }),
    ...(message.applicationProperties === undefined
      ? {}
      : { applicationProperties: { ...message.applicationProperties } }),
  };
}

/** Maps a message the SDK (or the Functions SDK binding) received to what our handlers read. */
export function fromServiceBusReceivedMessage(message: ServiceBusReceivedMessage): ReceivedMessage {
  return {
    body: message.body,
    messageId: message.messageId === undefined ? undefined : String(message.messageId),
    deliveryCount: message.deliveryCount ?? 1,
    enqueuedTime: message.enqueuedTimeUtc,
    ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
    applicationProperties: { ...(message.applicationProperties ?? {}) },
  };
}

export function toLong(sequenceNumber: SequenceNumber): Long {
  return Long.fromString(sequenceNumber.toString());
}

export function fromLong(sequenceNumber: Long): SequenceNumber {
  return BigInt(sequenceNumber.toString());
}

/** Maps a Service Bus failure to the service's typed errors. */
export function toBusError(error: unknown, action: string): AppError {
  if (error instanceof AppError) return error;
  if (isServiceBusError(error)) {
    if (error.code === 'MessageNotFound') {
      return new AppError('message-not-scheduled', `${action}: no such scheduled message`, { cause: error });
    }
    if (error.code === 'ServiceBusy' || error.code === 'QuotaExceeded') {
      return new AppError('throttled', `${action}: Service Bus is busy`, { cause: error });
    }
  }
  return new AppError('dependency-unavailable', `${action}: Service Bus failed`, { cause: error });
}

/** The message bus on Azure Service Bus, signed in with the app's managed identity. */
export class ServiceBusMessageBus implements MessageBus {
  readonly #client: ServiceBusClient;
  readonly #senders = new Map<string, ServiceBusSender>();

  constructor(fullyQualifiedNamespace: string, credential: TokenCredential) {
    this.#client = new ServiceBusClient(fullyQualifiedNamespace, credential);
  }

  #sender(queue: string): ServiceBusSender {
    let sender = this.#senders.get(queue);
    if (!sender) {
      sender = this.#client.createSender(queue);
      this.#senders.set(queue, sender);
    }
    return sender;
  }

  async send(queue: string, message: OutgoingMessage): Promise<void> {
    try {
      // The sender's trace context travels in the application properties (W3C traceparent).
      await this.#sender(queue).sendMessages(toServiceBusMessage(withTraceContext(message)));
    } catch (error) {
      throw toBusError(error, `send to ${queue}`);
    }
  }

  async schedule(queue: string, message: OutgoingMessage, enqueueAt: Date): Promise<SequenceNumber> {
    try {
      const [sequenceNumber] = await this.#sender(queue).scheduleMessages(
        toServiceBusMessage(withTraceContext(message)),
        enqueueAt,
      );
      if (!sequenceNumber)
        throw new AppError('dependency-unavailable', `schedule on ${queue}: no sequence number`);
      return fromLong(sequenceNumber);
    } catch (error) {
      throw toBusError(error, `schedule on ${queue}`);
    }
  }

  async cancelScheduled(queue: string, sequenceNumber: SequenceNumber): Promise<void> {
    try {
      await this.#sender(queue).cancelScheduledMessages(toLong(sequenceNumber));
    } catch (error) {
      throw toBusError(error, `cancel on ${queue}`);
    }
  }

  /** Peeks one message of a queue: proves the namespace answers and the identity may read it. */
  async checkHealth(): Promise<void> {
    const receiver = this.#client.createReceiver(queueNames.eventChanges);
    try {
      await receiver.peekMessages(1);
    } catch (error) {
      throw toBusError(error, 'peek');
    } finally {
      await receiver.close();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#senders.values()].map((sender) => sender.close()));
    await this.#client.close();
  }
}
