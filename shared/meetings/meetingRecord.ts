import { createHash } from 'node:crypto';
import { z } from 'zod';
import { sealedSchema } from '../crypto/envelopeEncryption.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';

/** Stable, opaque keys: Graph ids may hold characters Cosmos ids may not, and are not needed in clear. */
export function keyOf(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

/**
 * One meeting in one user's list. In clear only what queries need: the user, start, end, state (and
 * the opaque series key and TTL); everything about the meeting is sealed.
 */
export const meetingRecordSchema = z.object({
  id: z.string().min(1),
  userId: z.string().min(1),
  tenantId: z.string().min(1),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  state: z.enum(['scheduled']),
  /** keyOf(series master id) for occurrences and exceptions, so a series can be found and cleared. */
  seriesKey: z.string().nullable(),
  /** Seconds to live: until 7 days after the meeting ends. */
  ttl: z.number().int().positive(),
  sealed: sealedSchema,
  updatedAt: z.iso.datetime(),
  /**
   * The Join notifications scheduled for this record (the start they expect, their due time and
   * each recipient's sequence number), sealed like the details: recipients are people. Absent on
   * records that never had any.
   */
  joinSchedule: sealedSchema.nullish(),
  /**
   * `keyOf` each room's mailbox address, on the organiser's record only: a room's booking list is
   * rebuilt from the records that book it, found by this key across users. Rooms are not people, so
   * the key is not personal data; it stays in clear because the query needs it.
   */
  roomKeys: z.array(z.string()).optional(),
});
export type MeetingRecord = z.infer<typeof meetingRecordSchema>;
export const meetingRecords: CollectionDefinition<MeetingRecord> = {
  ...containerLayouts.meetings,
  schema: meetingRecordSchema,
};

const personSchema = z.object({ name: z.string().nullable(), address: z.string().nullable() });

/** What is sealed inside a record. */
export const meetingDetailsSchema = z.object({
  eventId: z.string(),
  seriesMasterId: z.string().nullable(),
  subject: z.string(),
  /** The invitation's text, as the meetings list shows it (at most 8,000 characters). */
  agenda: z.string(),
  isAllDay: z.boolean(),
  isOrganizer: z.boolean(),
  responseStatus: z.string().nullable(),
  organizer: personSchema,
  invitees: z.array(personSchema.extend({ type: z.string(), response: z.string().nullable() })),
  join: z.object({ link: z.string().nullable(), sipAddress: z.string().nullable() }).nullable(),
});
export type MeetingDetails = z.infer<typeof meetingDetailsSchema>;

/** Cosmos DB refuses a `ttl` above 2^31 - 1 seconds (about 68 years). */
export const maxTtlSeconds = 2_147_483_647;

/**
 * The meetings window: 7 days back, 31 ahead; records expire 7 days after the meeting ends, and
 * never later than Cosmos allows (a meeting set far in the future would otherwise fail its write).
 */
export function recordTtlSeconds(endMs: number, nowMs: number): number {
  const seconds = Math.ceil((endMs + 7 * 86_400_000 - nowMs) / 1000);
  return Number.isFinite(seconds) ? Math.min(maxTtlSeconds, Math.max(60, seconds)) : maxTtlSeconds;
}
