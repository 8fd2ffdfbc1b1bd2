import type { MessageBus } from '../bus/messageBus.js';
import { queueNames } from '../bus/queues.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import type { ClientStateSigner } from './clientState.js';
import {
  type ChangeNotification,
  changeKeyFromEtag,
  changeNotificationCollectionSchema,
  parseEventResource,
  parseSubscriptionResource,
} from './graphNotifications.js';
import { eventChangeOutgoing, lifecycleMessageSchema, messageIdFor } from './messages.js';

export interface IntakeContext {
  bus: MessageBus;
  clock: Clock;
  clientState: ClientStateSigner;
  counters: Counters;
}

export interface IntakeResult {
  accepted: number;
  dropped: number;
}

/** Parses a notification body; anything that is not a notification collection counts as malformed. */
function parseCollection(body: unknown, counters: Counters): ChangeNotification[] | undefined {
  const parsed = changeNotificationCollectionSchema.safeParse(body);
  if (!parsed.success) {
    counters.increment('notifications.dropped.malformed');
    return undefined;
  }
  return parsed.data.value;
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
  const notifications = parseCollection(body, context.counters);
  if (!notifications) return { accepted: 0, dropped: 1 };
  const observedAt = context.clock.now().toISOString();
  const messages = [];
  let dropped = 0;
  for (const notification of notifications) {
    const resource = parseEventResource(notification.resource);
    if (!resource || !notification.changeType) {
      context.counters.increment('notifications.dropped.malformed');
      dropped += 1;
      continue;
    }
    const signedFor = context.clientState.verify(notification.clientState, notification.tenantId);
    if (!signedFor || signedFor !== resource.userId.toLowerCase()) {
      context.counters.increment('notifications.dropped.forged');
      dropped += 1;
      continue;
    }
    const message = eventChangeOutgoing({
      version: 1,
      tenantId: notification.tenantId.toLowerCase(),
      userId: resource.userId.toLowerCase(),
      eventId: notification.resourceData?.id ?? resource.eventId,
      changeType: notification.changeType,
      changeKey: changeKeyFromEtag(notification.resourceData?.['@odata.etag']),
      source: 'notification',
      subscriptionId: notification.subscriptionId,
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
  const notifications = parseCollection(body, context.counters);
  if (!notifications) return { accepted: 0, dropped: 1 };
  const observedAt = context.clock.now().toISOString();
  let accepted = 0;
  let dropped = 0;
  for (const notification of notifications) {
    if (!notification.lifecycleEvent) {
      context.counters.increment('lifecycle.dropped.malformed');
      dropped += 1;
      continue;
    }
    // Lifecycle notifications need not name the resource: the verified clientState names the user.
    const userId = context.clientState.verify(notification.clientState, notification.tenantId);
    const named = parseSubscriptionResource(notification.resource);
    if (!userId || (named !== undefined && named.toLowerCase() !== userId)) {
      context.counters.increment('lifecycle.dropped.forged');
      dropped += 1;
      continue;
    }
    const message = lifecycleMessageSchema.parse({
      version: 1,
      tenantId: notification.tenantId.toLowerCase(),
      userId: userId.toLowerCase(),
      subscriptionId: notification.subscriptionId,
      lifecycleEvent: notification.lifecycleEvent,
      observedAt,
    });
    await context.bus.send(queueNames.subscriptionLifecycle, {
      body: message,
      messageId: messageIdFor(
        'lifecycle',
        message.subscriptionId,
        message.lifecycleEvent,
        notification.subscriptionExpirationDateTime ?? observedAt,
      ),
    });
    accepted += 1;
  }
  context.counters.increment('lifecycle.accepted', accepted);
  return { accepted, dropped };
}
