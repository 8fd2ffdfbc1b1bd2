import { z } from 'zod';
import type { DeadLetterRecord, DeadLetterRecords } from './deadLetterRecords.js';
import {
  type ApplicationPropertyValue,
  type OutgoingMessage,
  type ReceivedMessage,
  retryAttemptProperty,
} from './messageBus.js';

/**
 * The dead-letter sub-queues of the bus (Service Bus `<queue>/$DeadLetterQueue` in Azure, the
 * in-process bus's dead letters locally).
 */
export interface DeadLetterQueues {
  /**
   * Sends the named dead letters of `queue` back to it as `redriveCopy` makes them, and removes them
   * from the dead-letter queue only once the copy is sent. Returns the ids it re-drove; an id it did
   * not find (gone, or beyond the adapter's scan budget) is simply not returned.
   */
  redrive(queue: string, messageIds: readonly string[]): Promise<string[]>;
}

/** The application property that counts how often a message was re-driven from its dead-letter queue. */
export const redriveCountProperty = 'redriveCount';

/** Service Bus MessageIds are at most 128 characters. */
const maxMessageIdLength = 128;

/**
 * The copy of a dead letter to send back to its queue: same body and session, a fresh retry count (no
 * `retryAttempt`), the re-drive counted, and a new MessageId so duplicate detection does not drop it.
 */
export function redriveCopy(
  message: Pick<ReceivedMessage, 'body' | 'messageId' | 'applicationProperties' | 'sessionId'>,
): OutgoingMessage {
  const properties: Record<string, ApplicationPropertyValue> = {};
  for (const [key, value] of Object.entries(message.applicationProperties)) {
    if (key === retryAttemptProperty) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
      properties[key] = value;
  }
  const previous = properties[redriveCountProperty];
  const count =
    (typeof previous === 'number' && Number.isInteger(previous) && previous > 0 ? previous : 0) + 1;
  properties[redriveCountProperty] = count;
  const suffix = `~redrive${count}`;
  const base = (message.messageId ?? '').replace(/~redrive\d+$/, '');
  return {
    body: message.body,
    ...(message.messageId
      ? { messageId: `${base.slice(0, maxMessageIdLength - suffix.length)}${suffix}` }
      : {}),
    ...(message.sessionId === undefined ? {} : { sessionId: message.sessionId }),
    applicationProperties: properties,
  };
}

/** Which dead letters an administrator re-drives: one message, one reason, or all of the tenant's. */
export const redriveRequestSchema = z.union([
  z.strictObject({ messageId: z.string().min(1).max(200), queue: z.string().min(1).max(100) }),
  z.strictObject({ reason: z.string().min(1).max(200) }),
  z.strictObject({ all: z.literal(true) }),
]);
export type RedriveRequest = z.infer<typeof redriveRequestSchema>;

export interface RedriveResult {
  redriven: number;
  /** Selected records whose message was no longer in its dead-letter queue (or had no id to find it by). */
  notFound: number;
}

/** At most this many records per request; an administrator repeats the request for the rest. */
export const maxRedrivenPerRequest = 500;

export interface DeadLetterRedriveContext {
  records: DeadLetterRecords;
  queues: DeadLetterQueues;
}

/**
 * Re-drives a tenant's dead letters: selects the tenant's records, asks each queue to send the named
 * messages back, and removes the records of the ones it did. Only ids taken from the tenant's own
 * records are ever passed to the queues, so another tenant's letters stay where they are.
 */
export async function redriveDeadLetters(
  context: DeadLetterRedriveContext,
  tenantId: string,
  request: RedriveRequest,
): Promise<RedriveResult> {
  const records = await context.records.list({
    tenantId,
    ...('reason' in request ? { reason: request.reason } : {}),
  });
  const selected = (
    'messageId' in request
      ? records.filter((record) => record.queue === request.queue && record.messageId === request.messageId)
      : records
  ).slice(0, maxRedrivenPerRequest);
  if ('messageId' in request && selected.length === 0) return { redriven: 0, notFound: 1 };

  const byQueue = new Map<string, Array<{ record: DeadLetterRecord; messageId: string }>>();
  let notFound = 0;
  for (const record of selected) {
    // A message that had no id cannot be found again in its dead-letter queue.
    if (record.messageId === null) {
      notFound += 1;
      continue;
    }
    byQueue.set(record.queue, [
      ...(byQueue.get(record.queue) ?? []),
      { record, messageId: record.messageId },
    ]);
  }
  let redriven = 0;
  for (const [queue, letters] of byQueue) {
    const done = new Set(
      await context.queues.redrive(
        queue,
        letters.map((letter) => letter.messageId),
      ),
    );
    for (const { record, messageId } of letters) {
      if (done.has(messageId)) {
        await context.records.remove(record);
        redriven += 1;
      } else {
        notFound += 1;
      }
    }
  }
  return { redriven, notFound };
}
