import { z } from 'zod';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';

/**
 * A Join notification that was sent (or is being sent) through one channel to one recipient for one
 * meeting occurrence. Only opaque keys: no address, no title.
 */
export const joinDeliverySchema = z.object({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  channel: z.string(),
  claimedAt: z.iso.datetime(),
  /** Seconds to live: a day after the meeting's end. */
  ttl: z.number().int().positive(),
});
export type JoinDelivery = z.infer<typeof joinDeliverySchema>;
export const joinDeliveries: CollectionDefinition<JoinDelivery> = {
  ...containerLayouts.joinDeliveries,
  schema: joinDeliverySchema,
};

/**
 * The delivery markers that make each notification at most once: a marker is created (conditionally)
 * before sending and removed again only when the send failed for sure.
 */
export interface JoinDeliveryMarkers {
  /** Creates the marker; false when it exists already (sent before, or being sent by another delivery). */
  claim(delivery: JoinDelivery): Promise<boolean>;
  /** Removes the marker, after a send that certainly did not reach anyone. */
  release(tenantId: string, id: string): Promise<void>;
}
