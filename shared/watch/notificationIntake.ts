import type { MessageBus } from '../bus/messageBus.js';
import { queueNames } from '../bus/queues.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import type { ChangeNotice, NotificationReader } from './changeNotices.js';
import type { ClientStateSigner } from './clientState.js';
import { eventChangeOutgoing, lifecycleMessageSchema, messageIdFor } from './messages.js';

export interface IntakeContext {
  /** Reads the calendar service's webhook bodies. */
  notifications: NotificationReader;
  bus: MessageBus;
  clock: Clock;
  clientState: ClientStateSigner;
  counters: Counters;
}

export interface IntakeResult {
  accepted: number;
  dropped: number;
}

/** Reads a notification body; anything that is not a notification collection counts as malformed. */
function readNotices(context: IntakeContext, body: unknown): ChangeNotice[] | undefined {
  const notices = context.notifications.read(body);
  if (!notices) context.counters.increment('notifications.dropped.malformed');
  return notices;
}

/**
 * Change notifications from Graph: each one whose clientState verifies for the tenant and user it
 * names goes on `event-changes` with a MessageId built from subscription, resource, change type and
 * etag, so Graph's redeliveries collapse. Forged or malformed ones are counted and dropped. Never
 * calls Graph; a bus failure is thrown, so the webhook answers 5xx and Graph retries.
 */
export async function acceptChangeNotifications(
  context: IntakeContext,
  body: unknown,
): Promise<IntakeResult> {
  const notices = readNotices(context, body);
  if (!notices) return { accepted: 0, dropped: 1 };
  const observedAt = context.clock.now().toISOString();
  const messages = [];
  let dropped = 0;
  for (const notice of notices) {
    const change = notice.change;
    if (!change) {
      context.counters.increment('notifications.dropped.malformed');
      dropped += 1;
      continue;
    }
    const signedFor = context.clientState.verify(notice.clientState, notice.tenantId);
    if (!signedFor || signedFor !== change.userId.toLowerCase()) {
      context.counters.increment('notifications.dropped.forged');
      dropped += 1;
      continue;
    }
    const message = eventChangeOutgoing({
      version: 1,
      tenantId: notice.tenantId.toLowerCase(),
      userId: change.userId.toLowerCase(),
      eventId: change.eventId,
      changeType: change.changeType,
      changeKey: change.changeKey,
      source: 'notification',
      subscriptionId: notice.subscriptionId,
      observedAt,
    });
    messages.push(message);
  }
  await Promise.all(messages.map((message) => context.bus.send(queueNames.eventChanges, message)));
  context.counters.increment('notifications.accepted', messages.length);
  return { accepted: messages.length, dropped };
}

/**
 * Lifecycle notifications: verified like change notifications, then queued on
 * `subscription-lifecycle` for a consumer that may call Graph.
 */
export async function acceptLifecycleNotifications(
  context: IntakeContext,
  body: unknown,
): Promise<IntakeResult> {
  const notices = readNotices(context, body);
  if (!notices) return { accepted: 0, dropped: 1 };
  const observedAt = context.clock.now().toISOString();
  let accepted = 0;
  let dropped = 0;
  for (const notice of notices) {
    const lifecycle = notice.lifecycle;
    if (!lifecycle) {
      context.counters.increment('lifecycle.dropped.malformed');
      dropped += 1;
      continue;
    }
    // Lifecycle notifications need not name the resource: the verified clientState names the user.
    const userId = context.clientState.verify(notice.clientState, notice.tenantId);
    const named = lifecycle.userId;
    if (!userId || (named !== undefined && named.toLowerCase() !== userId)) {
      context.counters.increment('lifecycle.dropped.forged');
      dropped += 1;
      continue;
    }
    const message = lifecycleMessageSchema.parse({
      version: 1,
      tenantId: notice.tenantId.toLowerCase(),
      userId: userId.toLowerCase(),
      subscriptionId: notice.subscriptionId,
      lifecycleEvent: lifecycle.event,
      observedAt,
    });
    await context.bus.send(queueNames.subscriptionLifecycle, {
      body: message,
      messageId: messageIdFor(
        'lifecycle',
        message.subscriptionId,
        message.lifecycleEvent,
        lifecycle.subscriptionExpiresAt ?? observedAt,
      ),
    });
    accepted += 1;
  }
  context.counters.increment('lifecycle.accepted', accepted);
  return { accepted, dropped };
}
