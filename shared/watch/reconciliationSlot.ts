import { createHash } from 'node:crypto';

/**
 * Every activated user's window is read in full once per period: notifications Graph dropped, and
 * changes whose retries ran out, heal within it with no manual step.
 */
export const reconciliationPeriodMs = 6 * 3_600_000;

/**
 * The user's offset into the period, in milliseconds: a hash of the ids, so users spread evenly and
 * keep their slot. Stored with the user only so that the store can find a tick's users by index;
 * changing the period means the stored slots must be written again.
 */
export function reconciliationSlotOf(
  tenantId: string,
  userId: string,
  periodMs = reconciliationPeriodMs,
): number {
  const digest = createHash('sha256').update(`${tenantId.toLowerCase()}|${userId.toLowerCase()}`).digest();
  return digest.readUIntBE(0, 6) % periodMs;
}
