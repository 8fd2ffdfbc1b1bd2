import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { OutgoingMessage } from '../bus/messageBus.js';
import { sessionIdForMailbox } from '../bus/queues.js';

/**
 * `event-changes`: one message per change to one event in one mailbox, from a change notification
 * or a (re)sync. Consumers fetch the event themselves: the message carries ids, never content.
 */
export const eventChangeMessageSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  eventId: z.string().min(1),
  changeType: z.enum(['created', 'updated', 'deleted']),
  /** Graph's change key (etag) when known: consumers can skip a change they have already seen. */
  changeKey: z.string().nullable(),
  /** `reconciliation`: the scheduled full round over the window that heals dropped notifications. */
  source: z.enum(['notification', 'initial-sync', 'resync', 'reconciliation']),
  /** The subscription that reported it; consumers drop changes of subscriptions the user no longer has. */
  subscriptionId: z.string().nullable(),
  observedAt: z.iso.datetime(),
});
export type EventChangeMessage = z.infer<typeof eventChangeMessageSchema>;

/** `user-activation`: subscribe and sync a user, stop watching them, or reconcile their window. */
export const userActivationMessageSchema = z.object({
  version: z.literal(1),
  action: z.enum(['activate', 'deactivate', 'reconcile']),
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  /** Why: for traces and metrics. */
  cause: z.enum([
    'enabled',
    'retry',
    'subscription-removed',
    'subscription-missing',
    'renewal-failed',
    'disabled',
    /** The user's slot in the reconciliation period came round. */
    'scheduled',
    /** Activation succeeded after an Error. */
    'recovered',
    /** A delta link stopped working and was replaced by a full sync. */
    'full-resync',
    /** The user connected (or reconnected) their own calendar. */
    'connected',
  ]),
  /** Reconciliation only: names the round, so that a round requested twice is one message. */
  round: z.string().min(1).optional(),
});
export type UserActivationMessage = z.infer<typeof userActivationMessageSchema>;

/** `subscription-lifecycle`: a lifecycle notification, verified, waiting to be acted on. */
export const lifecycleMessageSchema = z.object({
  version: z.literal(1),
  tenantId: z.string().min(1),
  userId: z.string().min(1),
  subscriptionId: z.string().min(1),
  lifecycleEvent: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']),
  observedAt: z.iso.datetime(),
});
export type LifecycleMessage = z.infer<typeof lifecycleMessageSchema>;

/** Service Bus MessageIds are at most 128 characters; a hash of the identity fits and collapses duplicates. */
export function messageIdFor(...parts: string[]): string {
  return createHash('sha256').update(parts.join('|')).digest('hex');
}

/**
 * The message for one change. Its MessageId is the change's identity, so a change sent twice within
 * the bus's detection window is one message; a reconciliation's identity includes its `round`.
 */
export function eventChangeOutgoing(message: EventChangeMessage, round?: string): OutgoingMessage {
  const identity =
    message.source === 'notification'
      ? [
          'notification',
          message.subscriptionId ?? '',
          message.tenantId,
          message.userId,
          message.eventId,
          message.changeType,
          message.changeKey ?? '',
        ]
      : [
          message.source,
          message.tenantId,
          message.userId,
          message.eventId,
          message.changeType,
          message.changeKey ?? '',
          ...(round === undefined ? [] : [round]),
        ];
  return {
    body: message,
    messageId: messageIdFor(...identity),
    sessionId: sessionIdForMailbox(message),
    subject: `event-${message.changeType}`,
    applicationProperties: { tenantId: message.tenantId, source: message.source },
  };
}
