import { hasErrorCode } from '../errors.js';

/** Values Service Bus carries as application properties. */
export type ApplicationPropertyValue = string | number | boolean;

/** A message to put on a queue. The body must be JSON-serialisable. */
export interface OutgoingMessage {
  body: unknown;
  /**
   * Identifies the message for duplicate detection: a second message with the same id within the
   * queue's detection window is dropped. Build it from the content's identity, never at random.
   */
  messageId?: string;
  /**
   * The session the message belongs to (on session-enabled queues, required): messages of one
   * session are delivered one at a time, in the order they became available.
   */
  sessionId?: string;
  subject?: string;
  correlationId?: string;
  applicationProperties?: Readonly<Record<string, ApplicationPropertyValue>>;
}

/**
 * Sequence number Service Bus gives a scheduled message; needed to cancel it. A bigint because
 * Service Bus uses 64-bit numbers.
 */
export type SequenceNumber = bigint;

/** The sending side of the message bus (Service Bus in Azure, an in-process queue locally). */
export interface MessageBus {
  send(queue: string, message: OutgoingMessage): Promise<void>;
  /** Enqueues the message at `enqueueAt`; returns the sequence number that cancels it. */
  schedule(queue: string, message: OutgoingMessage, enqueueAt: Date): Promise<SequenceNumber>;
  /** Cancels a scheduled message; `message-not-scheduled` when it is not (or no longer) scheduled. */
  cancelScheduled(queue: string, sequenceNumber: SequenceNumber): Promise<void>;
  checkHealth(): Promise<void>;
}

/**
 * Cancels a scheduled message if it is still scheduled: false when it was already delivered or
 * cancelled (nothing left to cancel), true when this call cancelled it.
 */
export async function cancelIfScheduled(
  bus: Pick<MessageBus, 'cancelScheduled'>,
  queue: string,
  sequenceNumber: SequenceNumber,
): Promise<boolean> {
  try {
    await bus.cancelScheduled(queue, sequenceNumber);
    return true;
  } catch (error) {
    if (hasErrorCode(error, 'message-not-scheduled')) return false;
    throw error;
  }
}

/** A message as a queue-triggered function receives it. */
export interface ReceivedMessage {
  /** The body as it arrived: unknown until the handler's schema has parsed it. */
  body: unknown;
  messageId: string | undefined;
  /** 1 on the first delivery. */
  deliveryCount: number;
  enqueuedTime: Date | undefined;
  /** The session it was delivered in, on session-enabled queues. */
  sessionId?: string | undefined;
  applicationProperties: Readonly<Record<string, unknown>>;
}

/**
 * What a queue handler decided. A handler may also throw: the hosting layer turns a permanent error
 * into a dead-letter with its code, and a transient one into `retry-later` (see
 * `settleQueueMessage`). Only when even scheduling the retry fails is the message abandoned, for the
 * bus to deliver again and dead-letter after its maximum delivery count.
 */
export type Settlement =
  | { outcome: 'complete' }
  | {
      /**
       * A transient failure: complete this copy and schedule the same message again after a pause,
       * rather than let the bus redeliver it at once and burn its delivery count in seconds.
       */
      outcome: 'retry-later';
      delayMs: number;
      attempt: number;
      reason: string;
    }
  | {
      outcome: 'dead-letter';
      /** Short machine-readable reason, e.g. `schema-invalid`. */
      reason: string;
      /** Human-readable detail, free of personal data. */
      description: string;
    };

export const complete: Settlement = { outcome: 'complete' };

export function deadLetter(reason: string, description: string): Settlement {
  return { outcome: 'dead-letter', reason, description };
}

/** The application property that counts a message's scheduled retries. */
export const retryAttemptProperty = 'retryAttempt';

/**
 * The copy of a received message to schedule for its next attempt: same body and session, attempt
 * counted, new id.
 */
export function retryCopy(message: ReceivedMessage, attempt: number): OutgoingMessage {
  const properties: Record<string, ApplicationPropertyValue> = {};
  for (const [key, value] of Object.entries(message.applicationProperties)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      properties[key] = value;
  }
  return {
    body: message.body,
    ...(message.messageId ? { messageId: `${message.messageId.slice(0, 100)}~retry${attempt}` } : {}),
    ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
    applicationProperties: { ...properties, [retryAttemptProperty]: attempt },
  };
}
