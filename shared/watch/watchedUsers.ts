import type { MailboxRef } from '../calendar/mailbox.js';
import type { UserState, WatchedUser } from './watchedUser.js';

/** Decides a user's next version from the current one; undefined leaves the user as they are. */
export type WatchedUserChange = (user: WatchedUser) => WatchedUser | undefined;

/**
 * The watched users, as the use cases need them. Implemented on Cosmos DB in
 * `adapters/cosmos/`; an in-memory fake in `test/support/fakes/` serves the unit tests.
 * Ids are compared in lower case. Failures are `AppError`s of the store (`throttled`,
 * `dependency-unavailable`): infrastructure, never the user's fault.
 */
export interface WatchedUsers {
  /** The user, or undefined when the service has never seen them. Ids are compared in lower case. */
  find(key: MailboxRef): Promise<WatchedUser | undefined>;
  /**
   * Changes a user as one conditional write: `change` sees the current version and is asked again
   * when another writer got there first, so no change is lost. The stored user has lower-case ids and
   * `updatedAt` set to now. Returns the user as stored, the unchanged user when `change` returned
   * undefined, and undefined when there is no such user (unless `createIfMissing`: a missing user
   * then starts as a fresh Not-activated one).
   */
  update(
    key: MailboxRef,
    change: WatchedUserChange,
    options?: { createIfMissing?: boolean },
  ): Promise<WatchedUser | undefined>;
  /** Enabled, activated users whose subscription expires before `before`: what the renewal renews. */
  dueForRenewal(before: Date): Promise<WatchedUser[]>;
  /** Enabled users in Error whose retry time is `now` or earlier. */
  dueForRetry(now: Date): Promise<WatchedUser[]>;
  /**
   * Enabled, activated users whose stored reconciliation slot is in `[fromSlotMs, toSlotMs)`, and
   * those with no slot stored yet (older documents): a superset the reconciliation narrows by
   * computing each slot again.
   */
  dueForReconciliation(fromSlotMs: number, toSlotMs: number): Promise<WatchedUser[]>;
  /** Enabled, activated users, in every tenant: what the daily refresh checks. */
  activated(): Promise<WatchedUser[]>;
  /** A tenant's users ordered by id; only those in `state` when it is given. */
  inTenant(tenantId: string, state?: UserState): Promise<WatchedUser[]>;
}
