import type { MessageBus } from '../bus/messageBus.js';
import { queueNames, sessionIdForMailbox } from '../bus/queues.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import type { ChangeNotice, NotificationReader } from './changeNotices.js';
import type { ClientStateSigner } from './clientState.js';
import type { DropKind, DroppedNotificationSummary } from './droppedNotifications.js';
import { eventChangeOutgoing, lifecycleMessageSchema, messageIdFor } from './messages.js';

export interface IntakeContext {
  /** Reads the calendar service's webhook bodies. */
  notifications: NotificationReader;
  bus: MessageBus;
  clock: Clock;
  clientState: ClientStateSigner;
  counters: Counters;
  /** Forged and malformed traffic per tenant, logged once a minute. */
  droppedNotifications: DroppedNotificationSummary;
}

export interface IntakeResult {
  accepted: number;
  dropped: number;
  /** The past minute's summary of dropped notifications, when this request is the first after it. */
  dropSummary?: string;
}

/** Counts one drop in the counters and the per-tenant summary; keeps a summary line that fell due. */
class DropRecorder {
  dropped = 0;
  summary: string | undefined;

  constructor(
    private readonly context: IntakeContext,
    private readonly area: 'notifications' | 'lifecycle',
  ) {}

  drop(kind: DropKind, tenantId: string | undefined): void {
    this.dropped += 1;
    this.context.counters.increment(`${this.area}.dropped.${kind}`);
    this.summary ??= this.context.droppedNotifications.record(tenantId, kind);
  }

  result(accepted: number): IntakeResult {
    return { accepted, dropped: this.dropped, ...(this.summary ? { dropSummary: this.summary } : {}) };
  }
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
  const drops = new DropRecorder(context, 'notifications');
  const notices = context.notifications.read(body);
  if (!notices) {
    drops.drop('malformed', undefined);
    return drops.result(0);
  }
  const observedAt = context.clock.now().toISOString();
  const messages = [];
  for (const notice of notices) {
    const change = notice.change;
    if (!change) {
      drops.drop('malformed', notice.tenantId);
      continue;
    }
    const signedFor = context.clientState.verify(notice.clientState, notice.tenantId);
    if (!signedFor || signedFor !== change.userId.toLowerCase()) {
      drops.drop('forged', notice.tenantId);
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
  return drops.result(messages.length);
}

/** Lifecycle notifications without an id of their own are told apart by the second they arrived in. */
export const lifecycleDuplicateWindowMs = 1_000;

/**
 * The MessageId of a lifecycle message, for the bus's duplicate detection. Graph's own redeliveries
 * of one notification must collapse, but a second `missed` or `subscriptionRemoved` is a new event
 * that must not be dropped as a duplicate of an earlier one already handled, even though its body is
 * the same (same subscription, same event, same expiry). Graph's notification `id`, when it sends
 * one, tells them apart exactly. Without it the arrival time is all there is, cut to whole seconds:
 * copies of one notification that reach us within the same second collapse, and anything later goes
 * through. The window is kept this short on purpose: an extra lifecycle message costs one more
 * resync or renewal, which are idempotent, while a dropped one costs changes nobody hears of.
 */
function lifecycleMessageId(
  subscriptionId: string,
  lifecycle: NonNullable<ChangeNotice['lifecycle']>,
  now: Date,
): string {
  if (lifecycle.notificationId) {
    return messageIdFor('lifecycle', subscriptionId, lifecycle.event, 'id', lifecycle.notificationId);
  }
  const window = Math.floor(now.getTime() / lifecycleDuplicateWindowMs);
  return messageIdFor(
    'lifecycle',
    subscriptionId,
    lifecycle.event,
    lifecycle.subscriptionExpiresAt ?? '',
    'at',
    String(window),
  );
}

/**
 * Lifecycle notifications: verified like change notifications, then queued on
 * `subscription-lifecycle` for a consumer that may call Graph.
 */
export async function acceptLifecycleNotifications(
  context: IntakeContext,
  body: unknown,
): Promise<IntakeResult> {
  const drops = new DropRecorder(context, 'lifecycle');
  const notices = context.notifications.read(body);
  if (!notices) {
    drops.drop('malformed', undefined);
    return drops.result(0);
  }
  const observedAt = context.clock.now().toISOString();
  let accepted = 0;
  for (const notice of notices) {
    const lifecycle = notice.lifecycle;
    if (!lifecycle) {
      drops.drop('malformed', notice.tenantId);
      continue;
    }
    // Lifecycle notifications need not name the resource: the verified clientState names the user.
    const userId = context.clientState.verify(notice.clientState, notice.tenantId);
    const named = lifecycle.userId;
    if (!userId || (named !== undefined && named.toLowerCase() !== userId)) {
      drops.drop('forged', notice.tenantId);
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
      messageId: lifecycleMessageId(message.subscriptionId, lifecycle, context.clock.now()),
      sessionId: sessionIdForMailbox(message),
    });
    accepted += 1;
  }
  context.counters.increment('lifecycle.accepted', accepted);
  return drops.result(accepted);
}
