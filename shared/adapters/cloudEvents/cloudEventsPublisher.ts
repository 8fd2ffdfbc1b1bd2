import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CloudEvent, HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { AppError } from '../../errors.js';
import { keyOf } from '../../meetings/meetingRecord.js';
import {
  NothingDelivered,
  nothingWasDelivered,
  SomeDelivered,
} from '../../notifications/deliveryFailures.js';
import { internalHostReason, isInternalAddress } from '../../notifications/endpointAddresses.js';
import type { IntegrationNotifier, JoinNotice } from '../../notifications/joinNotifier.js';
import type { PresenceChange, PresencePublisher } from '../../presence/presencePublisher.js';
import { type Clock, systemClock } from '../../time/clock.js';

/** Event types this service emits. */
export const cloudEventTypes = {
  joinDue: 'com.hybridcalendar.join.due',
  presenceChanged: 'com.hybridcalendar.presence.changed',
} as const;

/** A receiver of the tenant's events: where to post, and the Standard Webhooks secret (`whsec_…`) to sign with. */
export interface CloudEventsEndpoint {
  url: string;
  secret: string;
  /**
   * The operator's own endpoint (`CLOUDEVENTS_URL`, local runs), not a tenant's setting: it may be on
   * this machine. Every other endpoint is refused when its host resolves to an internal address.
   */
  operatorConfigured?: boolean;
}

/** What became of one endpoint: accepted, refused for good, or failed in a way a later try may fix. */
type EndpointResult =
  | { outcome: 'accepted' }
  /** Will not change on retry: a 4xx other than 408/429, a redirect, an internal address. */
  | { outcome: 'refused'; reason: string; maybeReceived: boolean }
  /** `maybeReceived`: an attempt timed out, met a 5xx or lost its connection, so it may have arrived. */
  | { outcome: 'failed'; maybeReceived: boolean };

/** Pauses between attempts at one endpoint (then the message itself is retried later). */
const defaultBackoffMs: readonly number[] = [500, 2_000, 8_000];

/**
 * CloudEvents 1.0 (structured JSON) posted to each of the tenant's endpoints, signed the Standard
 * Webhooks way: `webhook-id` (the event id, stable for a given notification so receivers can drop
 * repeats), `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
 * Each endpoint is retried with backoff; an endpoint that keeps failing fails the send (transient),
 * so the message is retried, and endpoints that got it already get the same id again. When every
 * failing endpoint refused for good (a 4xx other than 408/429, a redirect, an internal address), the
 * failure is permanent.
 */
export class CloudEventsPublisher implements IntegrationNotifier, PresencePublisher {
  readonly channel = 'cloudevents' as const;
  readonly #endpointsOf: (tenantId: string) => Promise<readonly CloudEventsEndpoint[]>;
  readonly #clock: Clock;
  readonly #backoffMs: readonly number[];
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #addressesOf: (hostname: string) => Promise<string[]>;
  readonly #counters: { increment(name: string): void } | undefined;

  constructor(options: {
    endpointsOf: (tenantId: string) => Promise<readonly CloudEventsEndpoint[]>;
    clock: Clock;
    backoffMs?: readonly number[];
    sleep?: (ms: number) => Promise<void>;
    /** Every address a host name resolves to (DNS by default). */
    addressesOf?: (hostname: string) => Promise<string[]>;
    counters?: { increment(name: string): void };
  }) {
    this.#endpointsOf = options.endpointsOf;
    this.#clock = options.clock;
    this.#backoffMs = options.backoffMs ?? defaultBackoffMs;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#addressesOf =
      options.addressesOf ??
      (async (hostname) => (await lookup(hostname, { all: true })).map((entry) => entry.address));
    this.#counters = options.counters;
  }

  async notifyIntegrations(notice: JoinNotice): Promise<void> {
    await this.#publish(notice.tenantId, {
      id: keyOf(`${cloudEventTypes.joinDue}|${notice.meetingKey}`),
      type: cloudEventTypes.joinDue,
      subject: notice.meetingKey,
      data: {
        tenantId: notice.tenantId,
        meetingKey: notice.meetingKey,
        title: notice.title,
        start: notice.start,
        end: notice.end,
        organizerName: notice.organizerName,
        join: notice.join,
      },
    });
  }

  async publishPresence(change: PresenceChange): Promise<void> {
    await this.#publish(change.tenantId, {
      id: keyOf(
        `${cloudEventTypes.presenceChanged}|${change.tenantId}|${change.userId}|${change.state}|${change.at}`,
      ),
      type: cloudEventTypes.presenceChanged,
      subject: change.userId,
      data: change,
    });
  }

  async #publish(
    tenantId: string,
    event: { id: string; type: string; subject: string; data: Record<string, unknown> | PresenceChange },
  ): Promise<void> {
    const endpoints = await this.#endpointsOf(tenantId);
    if (endpoints.length === 0) return;
    const message = HTTP.structured(
      new CloudEvent({
        id: event.id,
        type: event.type,
        source: `/hybrid-calendar/tenants/${tenantId}`,
        subject: event.subject,
        time: this.#clock.now().toISOString(),
        datacontenttype: 'application/json',
        data: event.data,
      }),
    );
    const body = String(message.body);
    const headers = {
      'content-type': String(message.headers['content-type'] ?? 'application/cloudevents+json'),
    };
    const failures: string[] = [];
    let allRefused = true;
    let someDelivered = false;
    for (const endpoint of endpoints) {
      const result = await this.#postWithRetries(endpoint, event.id, body, headers);
      if (result.outcome === 'accepted') {
        someDelivered = true;
        continue;
      }
      if (result.maybeReceived) someDelivered = true;
      if (result.outcome === 'refused') failures.push(`${hostOf(endpoint.url)}: ${result.reason}`);
      else {
        allRefused = false;
        failures.push(hostOf(endpoint.url));
      }
    }
    if (failures.length === 0) return;
    // Whether any endpoint has (or may have) the event decides whether the Join delivery marker may
    // be freed for a retry: it is kept when one may have, so none gets it twice.
    const cause = someDelivered
      ? new SomeDelivered('an endpoint has or may have the event')
      : new NothingDelivered('no endpoint received the event');
    // Every failure is one a retry cannot fix: permanent, so the message is dead-lettered with the
    // reason instead of being retried for hours.
    if (allRefused)
      throw new AppError(
        'request-rejected',
        `CloudEvents: ${failures.length} endpoint(s) refused (${failures.join(', ')})`,
        { cause },
      );
    throw new AppError(
      'dependency-unavailable',
      `CloudEvents: ${failures.length} endpoint(s) failed (${failures.join(', ')})`,
      { cause },
    );
  }

  async #postWithRetries(
    endpoint: CloudEventsEndpoint,
    id: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<EndpointResult> {
    if (!endpoint.operatorConfigured && (await this.#pointsInside(endpoint.url))) {
      this.#counters?.increment('cloudevents.internal-address-refused');
      return { outcome: 'refused', reason: 'internal address', maybeReceived: false };
    }
    const webhook = new Webhook(endpoint.secret);
    let maybeReceived = false;
    for (let attempt = 0; attempt <= this.#backoffMs.length; attempt++) {
      if (attempt > 0) await this.#sleep(this.#backoffMs[attempt - 1] ?? 0);
      // The receiver checks the timestamp against its own wall clock (5 minutes' tolerance), so it is
      // the machine's time, not the service's clock (which the local stack may have moved ahead).
      const sentAt = systemClock.now();
      try {
        const response = await fetch(endpoint.url, {
          method: 'POST',
          headers: {
            ...headers,
            'webhook-id': id,
            'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
            'webhook-signature': webhook.sign(id, sentAt, body),
          },
          body,
          // A redirect is not followed: it could lead anywhere, inside the network too.
          redirect: 'manual',
          signal: AbortSignal.timeout(10_000),
        });
        await response.body?.cancel();
        if (response.ok) return { outcome: 'accepted' };
        // A redirect, or a 4xx other than 408/429, will not change on retry.
        if (response.status < 500 && response.status !== 408 && response.status !== 429)
          return { outcome: 'refused', reason: `answered ${response.status}`, maybeReceived };
        // A 408 or 429 refused it; a 5xx may have handled it before failing.
        if (response.status >= 500) maybeReceived = true;
      } catch (error) {
        // Unreachable or timed out: try again after the pause. Only a failure before the request
        // left (refused connection, unknown name) proves it did not arrive.
        if (!nothingWasDelivered(error)) maybeReceived = true;
      }
    }
    return { outcome: 'failed', maybeReceived };
  }

  /** Whether the URL's host is, or resolves to, an internal address (any of its addresses). */
  async #pointsInside(url: string): Promise<boolean> {
    const hostname = new URL(url).hostname.replace(/^\[|\]$/g, '');
    if (internalHostReason(hostname)) return true;
    if (isIP(hostname)) return false;
    try {
      return (await this.#addressesOf(hostname)).some(isInternalAddress);
    } catch {
      return false; // not resolvable: the fetch fails on its own
    }
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid url';
  }
}
