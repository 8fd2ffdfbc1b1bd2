import { z } from 'zod';
import { refusedRefreshTokenReasons } from '../connect/reconnectReasons.js';
import { containerLayouts } from '../store/containers.js';
import type { CollectionDefinition } from '../store/documentStore.js';
import { reconciliationSlotOf } from './reconciliationSlot.js';

/** Not activated (enabled or not, no live subscription yet), activated (live subscription), error. */
export const userStates = ['not-activated', 'activated', 'error'] as const;
export type UserState = (typeof userStates)[number];

/**
 * Why a user is in Error. Stable codes for the admin API; never personal data.
 * - `subscribe-failed`: Graph refused or failed the subscription; retried on schedule.
 * - `mailbox-gone`: the mailbox left Exchange Online (moved on-premises, deleted, unlicensed).
 * - `subscription-missing`: the daily refresh found the subscription gone from Graph.
 * - `unauthorized`: the app lacks consent or permission for this mailbox.
 * - `reauthorization-required`: a connected user must connect their calendar again.
 * - `sync-failed`: the initial sync or a resync failed.
 * A connected user's refused refresh token, by its AADSTS code (`shared/connect/tokenFailureTriage.ts`):
 * - `token-expired`: unused too long (700082, 70008).
 * - `token-revoked`: revoked, or the password changed (50173).
 * - `consent-missing`: the user or an admin never consented (65001).
 * - `consent-declined`: consent was declined (65004).
 * - `mfa-required`: multi-factor authentication is required (50076, 50079).
 * - `conditional-access`: a Conditional Access policy blocks the sign-in (53003).
 */
export const errorReasons = [
  'subscribe-failed',
  'mailbox-gone',
  'subscription-missing',
  'unauthorized',
  'reauthorization-required',
  'sync-failed',
  ...refusedRefreshTokenReasons,
] as const;
export type ErrorReason = (typeof errorReasons)[number];

/**
 * A user whose calendar the service watches. Addressed by directory object id only: no e-mail
 * address or name is stored, so nothing here is personal data in clear.
 */
export const watchedUserSchema = z.object({
  id: z.string().min(1),
  tenantId: z.string().min(1),
  enabled: z.boolean(),
  state: z.enum(userStates),
  errorReason: z.enum(errorReasons).nullable(),
  consecutiveFailures: z.number().int().min(0),
  nextRetryAt: z.iso.datetime().nullable(),
  subscriptionId: z.string().nullable(),
  subscriptionExpiresAt: z.iso.datetime().nullable(),
  deltaLink: z.string().nullable(),
  activatedAt: z.iso.datetime().nullable(),
  /** The mailbox's language (`sv-SE`), read at activation: decorations are written in it. */
  language: z.string().nullable().default(null),
  /**
   * The user's offset into the reconciliation period (ms), so a timer run finds its users by index.
   * Null in documents written before it existed; set again at activation and renewal.
   */
  reconciliationSlot: z.number().int().min(0).nullable().default(null),
  /**
   * How Graph is called for this mailbox: `application` (the tenant's admin consent, app tokens) or
   * `delegated` (the user connected their own calendar: their delegated tokens).
   */
  authorization: z.enum(['application', 'delegated']).default('application'),
  /** When a connected user last connected (or reconnected) their calendar. */
  connectedAt: z.iso.datetime().nullable().default(null),
  /** When a connected user was last asked to reconnect: at most once every 30 days. */
  reauthorizationAskedAt: z.iso.datetime().nullable().default(null),
  updatedAt: z.iso.datetime(),
});
export type WatchedUser = z.infer<typeof watchedUserSchema>;

export const watchedUsers: CollectionDefinition<WatchedUser> = {
  ...containerLayouts.users,
  schema: watchedUserSchema,
};

export function newWatchedUser(tenantId: string, userId: string, now: Date): WatchedUser {
  return {
    id: userId.toLowerCase(),
    tenantId: tenantId.toLowerCase(),
    enabled: true,
    state: 'not-activated',
    errorReason: null,
    consecutiveFailures: 0,
    nextRetryAt: null,
    subscriptionId: null,
    subscriptionExpiresAt: null,
    deltaLink: null,
    activatedAt: null,
    language: null,
    reconciliationSlot: reconciliationSlotOf(tenantId, userId),
    authorization: 'application',
    connectedAt: null,
    reauthorizationAskedAt: null,
    updatedAt: now.toISOString(),
  };
}

/** The seed document's schedule: 60 minutes after a failure, 24 hours once three failed in a row. */
export function nextRetryAt(consecutiveFailures: number, now: Date): Date {
  const delayMs = consecutiveFailures >= 3 ? 24 * 3_600_000 : 60 * 60_000;
  return new Date(now.getTime() + delayMs);
}

/** The user after a failure: Error with the reason, one more failure, the next retry scheduled. */
export function withFailure(user: WatchedUser, reason: ErrorReason, now: Date): WatchedUser {
  const consecutiveFailures = user.consecutiveFailures + 1;
  return {
    ...user,
    state: 'error',
    errorReason: reason,
    consecutiveFailures,
    nextRetryAt: nextRetryAt(consecutiveFailures, now).toISOString(),
    updatedAt: now.toISOString(),
  };
}
