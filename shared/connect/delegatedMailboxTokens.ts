import type { MailboxRef } from '../calendar/mailbox.js';
import {
  isReauthorizationRequired,
  type MailboxDelegation,
  type StoredDelegatedTokens,
} from '../calendar/tokenProvider.js';
import type { Counters } from '../observability/counters.js';
import type { Clock } from '../time/clock.js';
import { withFailure } from '../watch/watchedUser.js';
import type { WatchedUsers } from '../watch/watchedUsers.js';
import type { SealedTokenCaches } from './sealedTokenCaches.js';
import { reasonForRefusedRefreshToken, shouldAskForReauthorization } from './tokenFailureTriage.js';

/** How long this instance trusts "this mailbox has no connected user" before reading the store again. */
const notConnectedCacheMs = 5 * 60_000;

/**
 * The delegated tokens of connected users, for the Graph gateway: a mailbox whose user connected
 * their calendar gets their token (from their sealed MSAL cache), any other mailbox none, so the
 * gateway uses the tenant's app token. A refused refresh token puts the user in Error with the reason
 * its AADSTS code gives, and asks them to reconnect at most once every 30 days.
 */
export class DelegatedMailboxTokens implements MailboxDelegation {
  readonly #caches: SealedTokenCaches;
  readonly #tokens: StoredDelegatedTokens;
  readonly #users: WatchedUsers;
  readonly #clock: Clock;
  readonly #counters: Counters;
  readonly #notConnectedUntil = new Map<string, number>();
  /**
   * One token read per user at a time in this instance: refresh tokens rotate on every use, so two
   * reads that both refresh with the same token would spend it twice.
   */
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(options: {
    caches: SealedTokenCaches;
    tokens: StoredDelegatedTokens;
    users: WatchedUsers;
    clock: Clock;
    counters: Counters;
  }) {
    this.#caches = options.caches;
    this.#tokens = options.tokens;
    this.#users = options.users;
    this.#clock = options.clock;
    this.#counters = options.counters;
  }

  /** Forgets what this instance remembered of a user: after they connect, reconnect or are purged. */
  forget(userId: string): void {
    this.#notConnectedUntil.delete(userId.toLowerCase());
  }

  async delegatedToken(
    mailbox: MailboxRef,
    options: { forceRefresh?: boolean } = {},
  ): Promise<string | undefined> {
    const userId = mailbox.userId.toLowerCase();
    const nowMs = this.#clock.now().getTime();
    if ((this.#notConnectedUntil.get(userId) ?? 0) > nowMs) return undefined;
    const account = await this.#caches.account(userId);
    if (!account || account.tenantId !== mailbox.tenantId.toLowerCase()) {
      this.#notConnectedUntil.set(userId, nowMs + notConnectedCacheMs);
      return undefined;
    }
    const previous = this.#inFlight.get(userId) ?? Promise.resolve();
    const current = previous
      .catch(() => undefined)
      .then(() => this.#tokens.delegatedAccessToken(account, this.#caches, options));
    this.#inFlight.set(userId, current);
    try {
      return await current;
    } catch (error) {
      if (isReauthorizationRequired(error)) await this.#recordRefusal(mailbox, error.aadstsCodes);
      throw error;
    } finally {
      if (this.#inFlight.get(userId) === current) this.#inFlight.delete(userId);
    }
  }

  async #recordRefusal(mailbox: MailboxRef, aadstsCodes: readonly number[]): Promise<void> {
    const reason = reasonForRefusedRefreshToken(aadstsCodes);
    const now = this.#clock.now();
    let asked = false;
    await this.#users.update(mailbox, (user) => {
      if (user.authorization !== 'delegated') return undefined;
      asked = shouldAskForReauthorization(user.reauthorizationAskedAt, now);
      const failed =
        user.state === 'error' && user.errorReason === reason ? user : withFailure(user, reason, now);
      if (!asked && failed === user) return undefined;
      return { ...failed, ...(asked ? { reauthorizationAskedAt: now.toISOString() } : {}) };
    });
    this.#counters.increment(`connect.refused.${reason}`);
    if (asked) this.#counters.increment('connect.reauthorization-asked');
  }
}
