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
} as const;

export type QueueName = (typeof queueNames)[keyof typeof queueNames];

/** Service Bus's default, kept the same locally: after this many deliveries a message is dead-lettered. */
export const maxDeliveryCount = 10;
