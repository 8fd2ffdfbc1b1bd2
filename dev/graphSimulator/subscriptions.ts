import { z } from 'zod';
import type { Clock } from '../../shared/time/clock.js';
import { RandomStreams } from '../seededRandom.js';
import type { CalendarService, ChangeType, Mailbox } from './calendars.js';
import { badRequest, GraphError, notFound } from './graphErrors.js';

export interface StoredSubscription {
  id: string;
  resource: string;
  mailboxId: string;
  changeTypes: ChangeType[];
  notificationUrl: string;
  lifecycleNotificationUrl: string | null;
  expirationMs: number;
  clientState: string | null;
  applicationId: string;
  creatorId: string;
  tenantId: string;
}

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface DeliveryOptions {
  /** Pauses before each retry of a failed delivery; Graph backs off for up to 4 hours. */
  retryDelaysMs: number[];
  /** How long a receiver may take to answer a notification before it counts as failed. */
  timeoutMs: number;
  /** How long notifications for one subscription are gathered into one POST. */
  batchWindowMs: number;
}

/** The longest lifetime Graph allows for Outlook event subscriptions without resource data. */
export const maxEventSubscriptionMinutes = 10_080;

const createSchema = z.object({
  changeType: z.string().min(1),
  notificationUrl: z.url(),
  lifecycleNotificationUrl: z.url().optional(),
  resource: z.string().min(1),
  expirationDateTime: z.iso.datetime({ offset: true }),
  clientState: z.string().optional(),
  latestSupportedTlsVersion: z.string().optional(),
  includeResourceData: z.boolean().optional(),
});

const renewSchema = z.object({ expirationDateTime: z.iso.datetime({ offset: true }) });

export interface DeliveryStats {
  delivered: number;
  failedAttempts: number;
  dropped: number;
  duplicated: number;
  lifecycleDelivered: number;
}

/**
 * Subscriptions on `/users/{id}/events`: the validation handshake on create, lifetimes, renewal,
 * reauthorize, change notifications in batches with retries, lifecycle notifications on demand, and
 * no delivery after expiry.
 */
export class SubscriptionService {
  readonly subscriptions = new Map<string, StoredSubscription>();
  readonly stats: DeliveryStats = {
    delivered: 0,
    failedAttempts: 0,
    dropped: 0,
    duplicated: 0,
    lifecycleDelivered: 0,
  };
  /** Fraction of change notifications never delivered (a fault the control API sets). */
  dropRate = 0;
  /** Fraction of delivered batches delivered a second time, as Graph sometimes does. */
  duplicateRate = 0;
  readonly #calendars: CalendarService;
  readonly #clock: Clock;
  readonly #options: DeliveryOptions;
  /** Where dropped and duplicated notifications are drawn from: `notifications.drop`, `notifications.duplicate`. */
  readonly #random: RandomStreams;
  readonly #pending = new Map<string, Array<Record<string, unknown>>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;
  #held = false;

  constructor(
    calendars: CalendarService,
    clock: Clock,
    options: Partial<DeliveryOptions> = {},
    random: RandomStreams = new RandomStreams(),
  ) {
    this.#calendars = calendars;
    this.#clock = clock;
    this.#random = random;
    this.#options = {
      retryDelaysMs: options.retryDelaysMs ?? [500, 2_000, 8_000, 30_000],
      timeoutMs: options.timeoutMs ?? 3_000,
      batchWindowMs: options.batchWindowMs ?? 25,
    };
    calendars.onChange((mailboxId, eventId, changeType, changeKey) =>
      this.#queueChange(mailboxId, eventId, changeType, changeKey),
    );
  }

  /** Resolves `/users/{id|upn}/events`, `/users/{id}/calendar/events` and `/me/events` to a mailbox. */
  #resolveResource(resource: string, callerUserId: string | undefined): Mailbox {
    const match = /^\/?(?:users\/([^/]+)|(me))\/(?:calendar\/)?events$/i.exec(resource.trim());
    if (!match) {
      throw badRequest(`Resource '${resource}' is not supported. Use /users/{id}/events.`, 'ExtensionError');
    }
    const key = match[2] ? callerUserId : decodeURIComponent(match[1] ?? '');
    const mailbox = key
      ? (this.#calendars.mailboxes.get(key) ?? this.#calendars.mailboxByAddress(key))
      : undefined;
    if (!mailbox) throw notFound(`Resource '${resource}' does not exist.`, 'ResourceNotFound');
    if (mailbox.gone) {
      throw new GraphError(
        404,
        'MailboxNotEnabledForRESTAPI',
        'The mailbox is either inactive, soft-deleted, or is hosted on-premise.',
      );
    }
    return mailbox;
  }

  #checkExpiration(expirationMs: number): void {
    const nowMs = this.#clock.now().getTime();
    if (expirationMs <= nowMs) {
      throw badRequest('Subscription expiration can only be a future date.', 'ExtensionError');
    }
    if (expirationMs > nowMs + maxEventSubscriptionMinutes * 60_000 + 60_000) {
      throw badRequest(
        `Subscription expiration can only be ${maxEventSubscriptionMinutes} minutes in the future.`,
        'ExtensionError',
      );
    }
  }

  /** Graph's validation handshake: the endpoint must echo the token, as text/plain, within 10 seconds. */
  async #validate(url: string): Promise<boolean> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${crypto.randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(10_000),
      });
      return response.status === 200 && (await response.text()) === token;
    } catch {
      return false;
    }
  }

  async create(
    body: unknown,
    caller: { appId: string; oid: string; tenantId: string; userId: string | undefined },
  ): Promise<StoredSubscription> {
    const parsed = createSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw badRequest(
        `Invalid subscription: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
        'InvalidRequest',
      );
    }
    const input = parsed.data;
    if (input.clientState !== undefined && input.clientState.length > 128) {
      throw badRequest('clientState must be at most 128 characters.', 'InvalidRequest');
    }
    const changeTypes = input.changeType.split(',').map((type) => type.trim());
    if (changeTypes.some((type) => !['created', 'updated', 'deleted'].includes(type))) {
      throw badRequest(`Invalid changeType '${input.changeType}'.`, 'InvalidRequest');
    }
    if (input.includeResourceData) {
      throw badRequest(
        'Resource data in notifications needs an encryption certificate; the simulator does not encrypt.',
        'InvalidRequest',
      );
    }
    const mailbox = this.#resolveResource(input.resource, caller.userId);
    const expirationMs = Date.parse(input.expirationDateTime);
    this.#checkExpiration(expirationMs);
    this.#expire();
    const duplicate = [...this.subscriptions.values()].find(
      (existing) =>
        existing.mailboxId === mailbox.user.id &&
        existing.notificationUrl === input.notificationUrl &&
        existing.applicationId === caller.appId &&
        existing.changeTypes.join(',') === changeTypes.join(','),
    );
    if (duplicate) {
      throw new GraphError(
        409,
        'ExtensionError',
        `A subscription for this resource and notification URL already exists: ${duplicate.id}.`,
      );
    }
    for (const url of [input.notificationUrl, input.lifecycleNotificationUrl]) {
      if (url && !(await this.#validate(url))) {
        throw badRequest(
          'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
          'ValidationError',
        );
      }
    }
    const subscription: StoredSubscription = {
      id: crypto.randomUUID(),
      resource: input.resource,
      mailboxId: mailbox.user.id,
      changeTypes: changeTypes as ChangeType[],
      notificationUrl: input.notificationUrl,
      lifecycleNotificationUrl: input.lifecycleNotificationUrl ?? null,
      expirationMs,
      clientState: input.clientState ?? null,
      applicationId: caller.appId,
      creatorId: caller.oid,
      tenantId: caller.tenantId,
    };
    this.subscriptions.set(subscription.id, subscription);
    return subscription;
  }

  get(id: string): StoredSubscription {
    this.#expire();
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw notFound(`The object was not found.`, 'ResourceNotFound');
    return subscription;
  }

  list(appId: string): StoredSubscription[] {
    this.#expire();
    return [...this.subscriptions.values()].filter((subscription) => subscription.applicationId === appId);
  }

  renew(id: string, body: unknown): StoredSubscription {
    const subscription = this.get(id);
    const parsed = renewSchema.safeParse(body);
    if (!parsed.success) throw badRequest('expirationDateTime is required.', 'InvalidRequest');
    const expirationMs = Date.parse(parsed.data.expirationDateTime);
    this.#checkExpiration(expirationMs);
    subscription.expirationMs = expirationMs;
    return subscription;
  }

  delete(id: string): void {
    this.get(id);
    this.subscriptions.delete(id);
  }

  /** `POST /subscriptions/{id}/reauthorize`: nothing to change here but the check that it exists. */
  reauthorize(id: string): void {
    this.get(id);
  }

  /** Drops subscriptions whose time has passed: they never deliver again. */
  #expire(): void {
    const nowMs = this.#clock.now().getTime();
    for (const [id, subscription] of this.subscriptions) {
      if (subscription.expirationMs <= nowMs) this.subscriptions.delete(id);
    }
  }

  toGraph(subscription: StoredSubscription): Record<string, unknown> {
    return {
      id: subscription.id,
      resource: subscription.resource,
      applicationId: subscription.applicationId,
      changeType: subscription.changeTypes.join(','),
      clientState: subscription.clientState,
      notificationUrl: subscription.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: subscription.lifecycleNotificationUrl,
      expirationDateTime: new Date(subscription.expirationMs).toISOString(),
      creatorId: subscription.creatorId,
      includeResourceData: false,
      latestSupportedTlsVersion: 'v1_2',
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  #queueChange(mailboxId: string, eventId: string, changeType: ChangeType, changeKey: string): void {
    if (this.#closed) return;
    this.#expire();
    for (const subscription of this.subscriptions.values()) {
      if (subscription.mailboxId !== mailboxId || !subscription.changeTypes.includes(changeType)) continue;
      if (this.#random.stream('notifications.drop').chance(this.dropRate)) {
        this.stats.dropped += 1;
        continue;
      }
      const resource = `Users/${mailboxId}/Events/${eventId}`;
      const notification = {
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: new Date(subscription.expirationMs).toISOString(),
        changeType,
        resource,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.Event',
          '@odata.id': resource,
          '@odata.etag': `W/"${changeKey}"`,
          id: eventId,
        },
        clientState: subscription.clientState,
        tenantId: subscription.tenantId,
      };
      const batch = this.#pending.get(subscription.id);
      if (batch) {
        batch.push(notification);
        continue;
      }
      this.#pending.set(subscription.id, [notification]);
      if (this.#held) continue;
      this.#flushAfter(subscription.id, subscription.notificationUrl, this.#options.batchWindowMs);
    }
  }

  /** Sends what a subscription gathered once the window has passed, as one notification POST. */
  #flushAfter(subscriptionId: string, url: string, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      const value = this.#pending.get(subscriptionId) ?? [];
      this.#pending.delete(subscriptionId);
      this.#track(this.#deliver(subscriptionId, url, { value }, 0));
    }, delayMs);
    this.#timers.add(timer);
  }

  /**
   * Holds every new notification back, gathered per subscription, until `release`: a test can
   * then make several changes and know they go out together, whatever the machine's speed.
   */
  hold(): void {
    this.#held = true;
  }

  /** Sends what was held, one notification POST per subscription. */
  release(): void {
    this.#held = false;
    for (const id of this.#pending.keys()) {
      const subscription = this.subscriptions.get(id);
      if (subscription) this.#flushAfter(id, subscription.notificationUrl, 0);
    }
  }

  #track(delivery: Promise<void>): void {
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
  }

  async #post(url: string, payload: unknown): Promise<boolean> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(this.#options.timeoutMs),
      });
      await response.arrayBuffer();
      return response.status >= 200 && response.status < 300;
    } catch {
      return false;
    }
  }

  async #deliver(
    subscriptionId: string,
    url: string,
    payload: { value: unknown[] },
    attempt: number,
  ): Promise<void> {
    const subscription = this.subscriptions.get(subscriptionId);
    if (this.#closed || !subscription || subscription.expirationMs <= this.#clock.now().getTime()) return;
    if (await this.#post(url, payload)) {
      this.stats.delivered += payload.value.length;
      if (
        this.#random.stream('notifications.duplicate').chance(this.duplicateRate) &&
        (await this.#post(url, payload))
      )
        this.stats.duplicated += payload.value.length;
      return;
    }
    this.stats.failedAttempts += 1;
    const delay = this.#options.retryDelaysMs[attempt];
    if (delay === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, delay);
      this.#timers.add(timer);
    });
    await this.#deliver(subscriptionId, url, payload, attempt + 1);
  }

  /** Sends a lifecycle notification now; `subscriptionRemoved` also removes the subscription. */
  async fireLifecycle(id: string, lifecycleEvent: LifecycleEvent): Promise<boolean> {
    const subscription = this.get(id);
    if (!subscription.lifecycleNotificationUrl) {
      throw badRequest('The subscription has no lifecycleNotificationUrl.', 'InvalidRequest');
    }
    const payload = {
      value: [
        {
          subscriptionId: subscription.id,
          subscriptionExpirationDateTime: new Date(subscription.expirationMs).toISOString(),
          tenantId: subscription.tenantId,
          clientState: subscription.clientState,
          lifecycleEvent,
          resource: subscription.resource,
        },
      ],
    };
    if (lifecycleEvent === 'subscriptionRemoved') this.subscriptions.delete(id);
    const delivered = await this.#post(subscription.lifecycleNotificationUrl, payload);
    if (delivered) this.stats.lifecycleDelivered += 1;
    return delivered;
  }

  /** Waits until every gathered batch has been delivered or given up on. */
  async settle(): Promise<void> {
    while ((this.#pending.size > 0 && !this.#held) || this.#inFlight.size > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
