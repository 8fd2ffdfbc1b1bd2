import { createHash } from 'node:crypto';

/**
 * The queues the service uses; Bicep creates the same ones (a test keeps the two in step), the local
 * host creates them on use. Every queue has a consumer: a queue is added here together with the
 * function that registers for it.
 * Each queue's consumer is the function that registers for it.
 */
export const queueNames = {
  /** Changes to calendar events, from change notifications and resyncs. */
  eventChanges: 'event-changes',
  /** Users to subscribe and sync. */
  userActivation: 'user-activation',
  /** Verified lifecycle notifications of subscriptions. */
  subscriptionLifecycle: 'subscription-lifecycle',
  /** A user's presence to evaluate again at an exact time: the start or end of an out-of-office window. */
  presenceTransitions: 'presence-transitions',
  /** Enablement jobs: users chosen by UPN, group or "all with a mailbox", resolved and enabled. */
  tenantEnablement: 'tenant-enablement',
  /**
   * Join notifications, scheduled for start minus the lead time, and room booking-list rebuilds.
   * Not session-enabled: its consumer never calls Graph for a mailbox, its messages are independent
   * of each other (one per meeting occurrence and recipient), and at-most-once comes from the
   * delivery markers, not from ordering; sessions would only serialise the burst at the top of the hour.
   */
  joinNotifications: 'join-notifications',
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];

/**
 * Queues whose consumers call Graph for one mailbox: they are session-enabled and every message
 * carries the mailbox's `sessionIdForMailbox`, so one instance at a time works on a mailbox and the
 * gateway's per-mailbox cap holds across scaled-out instances. Bicep sets `requiresSession` on these.
 */
export const sessionQueueNames: readonly QueueName[] = [
  queueNames.eventChanges,
  queueNames.userActivation,
  queueNames.subscriptionLifecycle,
  queueNames.presenceTransitions,
  // Enablement reads the tenant's directory: its session is the tenant (`sessionIdForTenant`), so
  // one job per tenant runs at a time.
  queueNames.tenantEnablement,
];

/** The session of a tenant's directory work: the tenant id, lower-cased. */
export function sessionIdForTenant(tenantId: string): string {
  return tenantId.toLowerCase();
}

/** Service Bus SessionIds are at most 128 characters. */
const maxSessionIdLength = 128;

/**
 * The session of a mailbox: `tenantId:userId` lower-cased, or its SHA-256 when that would exceed
 * Service Bus's 128 characters. Stable, so every message about a mailbox lands in the same session.
 */
export function sessionIdForMailbox(mailbox: { tenantId: string; userId: string }): string {
  const key = `${mailbox.tenantId}:${mailbox.userId}`.toLowerCase();
  return key.length <= maxSessionIdLength ? key : createHash('sha256').update(key).digest('hex');
}

/** Service Bus's default, kept the same locally: after this many deliveries a message is dead-lettered. */
export const maxDeliveryCount = 10;
