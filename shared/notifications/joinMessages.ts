import { z } from 'zod';

/**
 * Who a Join notification is for: `person:<keyOf(address)>` for the organiser and each invitee (the
 * address itself stays sealed in the record; the consumer finds the person by this key),
 * `integrations` for the CloudEvents endpoints, once per meeting occurrence, or `room:<keyOf(address)>`
 * for a booked room, due when the meeting enters the room's booking list (24 hours ahead).
 */
export const recipientKeySchema = z.string().regex(/^((person|room):[A-Za-z0-9_-]{43}|integrations)$/);

/** Due at start minus the lead time: tell the recipient that the meeting is about to start. */
export const joinDueMessageSchema = z
  .object({
    kind: z.literal('join-due'),
    tenantId: z.string().min(1),
    /** The record that scheduled it: the organiser's copy. */
    userId: z.string().min(1),
    recordId: z.string().min(1),
    /** The start the message was scheduled for: a record that starts otherwise now drops it. */
    start: z.iso.datetime(),
    recipient: recipientKeySchema,
  })
  .strict();
export type JoinDueMessage = z.infer<typeof joinDueMessageSchema>;

/**
 * One of a room's meetings changed: push its whole booking list again. The room mailbox's address is
 * carried, since the device is found by it; a room is not a person.
 */
export const roomBookingsMessageSchema = z
  .object({
    kind: z.literal('room-bookings'),
    tenantId: z.string().min(1),
    roomAddress: z.string().min(3).max(320),
  })
  .strict();
export type RoomBookingsMessage = z.infer<typeof roomBookingsMessageSchema>;

export const joinNotificationsMessageSchema = z.discriminatedUnion('kind', [
  joinDueMessageSchema,
  roomBookingsMessageSchema,
]);
export type JoinNotificationsMessage = z.infer<typeof joinNotificationsMessageSchema>;
