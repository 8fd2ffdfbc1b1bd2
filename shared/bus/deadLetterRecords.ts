import { createHash } from 'node:crypto';
import { z } from 'zod';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';
import type { ReceivedMessage } from './messageBus.js';

/**
 * Why a message went to a dead-letter queue. In Azure the Service Bus SDK binding we can install
 * (`@azure/functions-extensions-servicebus` 0.2.0-preview) cannot pass a dead-letter reason, so the
 * service records the reason itself; the admin API reads these records. No body and no personal
 * data: the reason is an error code and the description one of our own error messages.
 */
export const deadLetterRecordSchema = z.object({
  id: z.string().min(1),
  queue: z.string().min(1),
  messageId: z.string().nullable(),
  /** The tenant named by the message body, when it names one (a body that failed its schema may not). */
  tenantId: z.string().nullable(),
  reason: z.string().min(1),
  description: z.string(),
  deadLetteredAt: z.iso.datetime(),
  ttl: z.number().int().positive(),
});
export type DeadLetterRecord = z.infer<typeof deadLetterRecordSchema>;

export const deadLetterRecords: CollectionDefinition<DeadLetterRecord> = {
  ...containerLayouts.deadLetters,
  schema: deadLetterRecordSchema,
};

/** Records live as long as the container's default: 14 days, longer than anyone waits to look. */
export const deadLetterRecordTtlSeconds = 14 * 86_400;

/** What a dead-letter listing may be narrowed to. */
export interface DeadLetterFilter {
  /** Records of this tenant; records that name no tenant are left out. */
  tenantId: string;
  reason?: string;
}

/** The record store of dead-lettered messages (Cosmos DB `deadLetters` in production). */
export interface DeadLetterRecords {
  /** Saves the record; saving the same message's record again replaces it. */
  save(record: DeadLetterRecord): Promise<void>;
  /** Matching records, newest first. */
  list(filter: DeadLetterFilter): Promise<DeadLetterRecord[]>;
  /** Removes the record (its message was re-driven); removing one already gone is no error. */
  remove(record: Pick<DeadLetterRecord, 'id' | 'queue'>): Promise<void>;
}

const tenantInBody = z.object({ tenantId: z.string().min(1).max(64) });

/** The record of a message about to be dead-lettered. The id is derived from queue and message id, so a redelivered message keeps one record. */
export function deadLetterRecordFor(
  queue: string,
  message: ReceivedMessage,
  dead: { reason: string; description: string },
  now: Date,
): DeadLetterRecord {
  const tenant = tenantInBody.safeParse(message.body);
  const identity = message.messageId ?? `no-id|${now.toISOString()}|${dead.reason}`;
  return {
    id: createHash('sha256').update(`${queue}|${identity}`).digest('hex'),
    queue,
    messageId: message.messageId ?? null,
    tenantId: tenant.success ? tenant.data.tenantId.toLowerCase() : null,
    reason: dead.reason.slice(0, 200),
    description: dead.description.slice(0, 2_000),
    deadLetteredAt: now.toISOString(),
    ttl: deadLetterRecordTtlSeconds,
  };
}

/** The admin API's answer: counts by reason, and the most recent records. */
export interface DeadLetterListing {
  counts: Record<string, number>;
  records: Array<Omit<DeadLetterRecord, 'id' | 'ttl'>>;
}

/** At most this many records in a listing; the counts cover them all. */
export const listedDeadLetters = 200;

export const deadLetterQuerySchema = z.object({ reason: z.string().min(1).max(200).optional() });

/** Lists a tenant's dead letters: counts by reason and the newest records. */
export async function listDeadLetters(
  records: DeadLetterRecords,
  filter: DeadLetterFilter,
): Promise<DeadLetterListing> {
  const found = await records.list(filter);
  const counts: Record<string, number> = {};
  for (const record of found) counts[record.reason] = (counts[record.reason] ?? 0) + 1;
  return {
    counts,
    records: found.slice(0, listedDeadLetters).map(({ id: _id, ttl: _ttl, ...shown }) => shown),
  };
}
