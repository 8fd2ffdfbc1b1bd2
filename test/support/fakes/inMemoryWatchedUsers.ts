import type { MailboxRef } from '../../../shared/calendar/mailbox.js';
import { AppError } from '../../../shared/errors.js';
import type { Clock } from '../../../shared/time/clock.js';
import {
  newWatchedUser,
  type UserState,
  type WatchedUser,
  watchedUserSchema,
} from '../../../shared/watch/watchedUser.js';
import type { WatchedUserChange, WatchedUsers } from '../../../shared/watch/watchedUsers.js';

interface StoredUser {
  user: WatchedUser;
  /** Bumped on every write: what an etag is to Cosmos DB. */
  version: number;
}

/**
 * The watched users in memory, with the Cosmos adapter's semantics: lower-case ids, `updatedAt` from
 * the clock, and conditional updates that ask `change` again when another writer got in between
 * (`interleaveBeforeNextWrite` plays that other writer). Users are parsed with the stored schema on
 * the way in and copied on the way out, so a test cannot change a stored user by accident.
 */
export class InMemoryWatchedUsers implements WatchedUsers {
  readonly #clock: Clock;
  readonly #stored = new Map<string, StoredUser>();
  readonly #interleaved: Array<() => Promise<void> | void> = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Stores users exactly as given (no stamping): the Arrange step of a test. */
  seed(...users: WatchedUser[]): void {
    for (const user of users) this.#write(user);
  }

  /** Every stored user, in no particular order. */
  all(): WatchedUser[] {
    return [...this.#stored.values()].map(({ user }) => structuredClone(user));
  }

  /** Runs `write` once, between the next update's read and its write, as a concurrent writer would. */
  interleaveBeforeNextWrite(write: () => Promise<void> | void): void {
    this.#interleaved.push(write);
  }

  async find(key: MailboxRef): Promise<WatchedUser | undefined> {
    const stored = this.#stored.get(keyOf(key.tenantId, key.userId));
    return stored ? structuredClone(stored.user) : undefined;
  }

  async update(
    key: MailboxRef,
    change: WatchedUserChange,
    options: { createIfMissing?: boolean } = {},
  ): Promise<WatchedUser | undefined> {
    const tenantId = key.tenantId.toLowerCase();
    const userId = key.userId.toLowerCase();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const stored = this.#stored.get(keyOf(tenantId, userId));
      const current = stored
        ? structuredClone(stored.user)
        : options.createIfMissing
          ? newWatchedUser(tenantId, userId, this.#clock.now())
          : undefined;
      if (!current) return undefined;
      const next = change(current);
      if (!next) return current;
      await this.#interleaved.shift()?.();
      if (this.#stored.get(keyOf(tenantId, userId))?.version !== stored?.version) continue;
      return structuredClone(
        this.#write({ ...next, id: userId, tenantId, updatedAt: this.#clock.now().toISOString() }),
      );
    }
    throw new AppError('dependency-unavailable', 'user update: lost the race 10 times in a row');
  }

  async dueForRenewal(before: Date): Promise<WatchedUser[]> {
    const threshold = before.toISOString();
    return this.#where(
      (user) =>
        user.state === 'activated' &&
        user.enabled &&
        user.subscriptionExpiresAt !== null &&
        user.subscriptionExpiresAt < threshold,
    );
  }

  async dueForRetry(now: Date): Promise<WatchedUser[]> {
    const threshold = now.toISOString();
    return this.#where(
      (user) =>
        user.state === 'error' && user.enabled && user.nextRetryAt !== null && user.nextRetryAt <= threshold,
    );
  }

  async dueForReconciliation(fromSlotMs: number, toSlotMs: number): Promise<WatchedUser[]> {
    return this.#where(
      (user) =>
        user.state === 'activated' &&
        user.enabled &&
        (user.reconciliationSlot === null ||
          (user.reconciliationSlot >= fromSlotMs && user.reconciliationSlot < toSlotMs)),
    );
  }

  async activated(): Promise<WatchedUser[]> {
    return this.#where((user) => user.state === 'activated' && user.enabled);
  }

  async inTenant(tenantId: string, state?: UserState): Promise<WatchedUser[]> {
    const tenant = tenantId.toLowerCase();
    return this.#where(
      (user) => user.tenantId === tenant && (state === undefined || user.state === state),
    ).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #where(predicate: (user: WatchedUser) => boolean): WatchedUser[] {
    return this.all().filter(predicate);
  }

  #write(user: WatchedUser): WatchedUser {
    const parsed = watchedUserSchema.parse(user);
    const key = keyOf(parsed.tenantId, parsed.id);
    this.#stored.set(key, { user: parsed, version: (this.#stored.get(key)?.version ?? 0) + 1 });
    return parsed;
  }
}

function keyOf(tenantId: string, userId: string): string {
  return `${tenantId.toLowerCase()}|${userId.toLowerCase()}`;
}
