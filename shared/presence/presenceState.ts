import { z } from 'zod';
import type { MailboxRef } from '../calendar/mailbox.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';

const intervalSchema = z.object({ startMs: z.number(), endMs: z.number() });

const presenceReadingSchema = z.object({
  automaticReplies: z.discriminatedUnion('status', [
    z.object({ status: z.literal('disabled') }),
    z.object({ status: z.literal('alwaysEnabled') }),
    z.object({ status: z.literal('scheduled'), window: intervalSchema }),
  ]),
  outOfOfficeEvents: z.array(intervalSchema).max(100),
});

const stateSchema = z.enum(['in-office', 'out-of-office']);
const signalSchema = z.enum(['automatic-replies', 'calendar-event']);

export const presenceChangeSchema = z.object({
  tenantId: z.string(),
  userId: z.string(),
  state: stateSchema,
  at: z.string(),
  signal: signalSchema,
});

/**
 * A user's presence in the `presence` container (its own container: the `users` partition is read
 * whole as watched users, and these documents are not users). One per user, id = user id, written
 * only by a conditional write, so a transition is claimed by exactly one writer.
 */
export const presenceDocumentSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  userId: z.string(),
  state: stateSchema,
  signal: signalSchema,
  /** When the current state began (ISO 8601, UTC). */
  since: z.string(),
  /** The last reading polled from Graph; what the exact-time messages derive presence from. */
  reading: presenceReadingSchema.nullable(),
  readAt: z.string().nullable(),
  /** Messages scheduled on `presence-transitions` for the reading's future boundaries. */
  scheduled: z.array(
    z.object({
      at: z.string(),
      /** Service Bus's sequence number, as a decimal string (it is 64-bit). */
      sequenceNumber: z.string().regex(/^\d{1,20}$/),
    }),
  ),
  /** A transition written but not yet published: published (again) by the next writer to see it. */
  unpublished: presenceChangeSchema.nullable(),
  updatedAt: z.string(),
});
export type PresenceDocument = z.infer<typeof presenceDocumentSchema>;

export const presenceDocuments: CollectionDefinition<PresenceDocument> = {
  ...containerLayouts.presence,
  schema: presenceDocumentSchema,
};

/** A user the service has not read yet: in office, since now, nothing known. */
export function newPresenceDocument(mailbox: MailboxRef, now: Date): PresenceDocument {
  return {
    id: mailbox.userId.toLowerCase(),
    tenantId: mailbox.tenantId.toLowerCase(),
    userId: mailbox.userId.toLowerCase(),
    state: 'in-office',
    signal: 'automatic-replies',
    since: now.toISOString(),
    reading: null,
    readAt: null,
    scheduled: [],
    unpublished: null,
    updatedAt: now.toISOString(),
  };
}

/**
 * The users' presence documents. `update` is one conditional write: `change` sees the current
 * document (undefined when there is none) and is asked again when another writer got there first;
 * undefined from `change` leaves the document as it is. Returns the document as stored.
 */
export interface PresenceStates {
  find(mailbox: MailboxRef): Promise<PresenceDocument | undefined>;
  update(
    mailbox: MailboxRef,
    change: (current: PresenceDocument | undefined) => PresenceDocument | undefined,
  ): Promise<PresenceDocument | undefined>;
}
