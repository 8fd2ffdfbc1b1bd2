import { z } from 'zod';
import type { Clock } from '../../shared/time/clock.js';
import { RandomStreams } from '../seededRandom.js';
import { GraphError } from './graphErrors.js';

/** What the control API can set. Defaults are Outlook's documented limits and no faults. */
export const faultSettingsSchema = z
  .object({
    /** Outlook allows 4 concurrent requests per app and mailbox. */
    maxConcurrentPerMailbox: z.number().int().min(1),
    /** Outlook allows 10,000 requests per 10 minutes per app and mailbox. */
    requestsPerWindow: z.number().int().min(1),
    windowMs: z.number().int().min(1),
    /** Seconds sent in Retry-After with every 429 and injected 503. */
    retryAfterSeconds: z.number().min(0),
    /** Added to every Graph request before it is handled. */
    latencyMs: z.number().min(0),
    /** Fraction of requests answered 429 at random, on top of the limits. */
    throttleRate: z.number().min(0).max(1),
    /** Fraction of requests answered 503 at random. */
    serverErrorRate: z.number().min(0).max(1),
    /** Fraction of change notifications never delivered. */
    dropNotificationRate: z.number().min(0).max(1),
    /** Fraction of notification batches delivered twice. */
    duplicateNotificationRate: z.number().min(0).max(1),
  })
  .strict();
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export const defaultFaultSettings: FaultSettings = {
  maxConcurrentPerMailbox: 4,
  requestsPerWindow: 10_000,
  windowMs: 600_000,
  retryAfterSeconds: 1,
  latencyMs: 0,
  throttleRate: 0,
  serverErrorRate: 0,
  dropNotificationRate: 0,
  duplicateNotificationRate: 0,
};

export interface MailboxStats {
  requests: number;
  inFlight: number;
  peakInFlight: number;
  throttled: number;
  injectedErrors: number;
  /** Requests served (not throttled or failed on purpose) by `METHOD kind`, e.g. `PATCH event`. */
  byOperation: Record<string, number>;
  /** Of those, the ones made with a user's delegated token ("connect your calendar"), by operation. */
  delegatedByOperation: Record<string, number>;
  windowStartMs: number;
  windowCount: number;
}

/**
 * Per-mailbox limits and injected faults. Every Graph request that names a mailbox passes through
 * `enter` and `leave`; the counters behind them are what the control API reports.
 */
export class MailboxLimiter {
  settings: FaultSettings = { ...defaultFaultSettings };
  readonly stats = new Map<string, MailboxStats>();
  readonly #clock: Clock;
  /** Where injected 429s and 503s are drawn from: streams `graph.throttle` and `graph.serverError`. */
  readonly #random: RandomStreams;

  constructor(clock: Clock, random: RandomStreams = new RandomStreams()) {
    this.#clock = clock;
    this.#random = random;
  }

  #statsOf(mailboxId: string): MailboxStats {
    let stats = this.stats.get(mailboxId);
    if (!stats) {
      stats = {
        requests: 0,
        inFlight: 0,
        peakInFlight: 0,
        throttled: 0,
        injectedErrors: 0,
        byOperation: {},
        delegatedByOperation: {},
        windowStartMs: this.#clock.now().getTime(),
        windowCount: 0,
      };
      this.stats.set(mailboxId, stats);
    }
    return stats;
  }

  #throttled(stats: MailboxStats, message: string): GraphError {
    stats.throttled += 1;
    return new GraphError(429, 'ApplicationThrottled', message, {
      'Retry-After': String(this.settings.retryAfterSeconds),
    });
  }

  /** Admits a request or throws Graph's 429/503. Admitted requests must call `leave` once. */
  enter(mailboxId: string, operation: string, faultKey: string = mailboxId, delegated = false): void {
    const stats = this.#statsOf(mailboxId);
    stats.requests += 1;
    // Drawn for every request, before the limits, keyed by mailbox and operation: which request gets
    // which fault depends on the seed and the order of requests within one mailbox's operation, not
    // on other mailboxes or on whether earlier requests were throttled (a matter of timing).
    const key = `${faultKey} ${operation}`;
    const throttle = this.#random.chanceFor('graph.throttle', key, this.settings.throttleRate);
    const serverError = this.#random.chanceFor('graph.serverError', key, this.settings.serverErrorRate);
    const nowMs = this.#clock.now().getTime();
    if (nowMs - stats.windowStartMs >= this.settings.windowMs) {
      stats.windowStartMs = nowMs;
      stats.windowCount = 0;
    }
    if (stats.inFlight >= this.settings.maxConcurrentPerMailbox) {
      throw this.#throttled(stats, 'Application is over its MailboxConcurrency limit.');
    }
    if (stats.windowCount >= this.settings.requestsPerWindow) {
      throw this.#throttled(stats, 'Application is over its RequestsPerWindow limit for this mailbox.');
    }
    if (throttle) {
      throw this.#throttled(stats, 'Application is over its MailboxConcurrency limit.');
    }
    if (serverError) {
      stats.injectedErrors += 1;
      throw new GraphError(503, 'ServiceUnavailable', 'The service is temporarily unavailable.', {
        'Retry-After': String(this.settings.retryAfterSeconds),
      });
    }
    stats.windowCount += 1;
    // Counted once admitted: a throttled attempt is not a served request.
    stats.byOperation[operation] = (stats.byOperation[operation] ?? 0) + 1;
    if (delegated) stats.delegatedByOperation[operation] = (stats.delegatedByOperation[operation] ?? 0) + 1;
    stats.inFlight += 1;
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight);
  }

  leave(mailboxId: string): void {
    const stats = this.#statsOf(mailboxId);
    stats.inFlight = Math.max(0, stats.inFlight - 1);
  }

  reset(): void {
    this.stats.clear();
  }
}
