import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../shared/time/clock.js';
import { reconciliationSlotOf } from '../../shared/watch/reconciliationSlot.js';
import type { WatchedUser } from '../../shared/watch/watchedUser.js';
import type { WatchedUsers } from '../../shared/watch/watchedUsers.js';
import { buildWatchedUser, watchTenantId, watchUserId } from './watchBuilders.js';

export interface WatchedUsersUnderTest {
  users: WatchedUsers;
  clock: ManualClock;
  /** Stores users exactly as given, bypassing the repository. */
  seed(...users: WatchedUser[]): Promise<void>;
}

const otherTenantId = '7c1a2b3d-0000-4e5f-8a9b-0c1d2e3f4a5c';
const hour = 3_600_000;

function sortedIds(users: readonly WatchedUser[]): string[] {
  return users.map((user) => `${user.tenantId}/${user.id}`).sort();
}

/**
 * What every `WatchedUsers` promises, run against the Cosmos adapter (integration) and the in-memory
 * fake (unit), so that the fake the use-case tests rely on behaves as the real one does.
 */
export function describeWatchedUsersContract(
  name: string,
  setup: () => Promise<WatchedUsersUnderTest>,
): void {
  describe(`${name} keeps the WatchedUsers contract`, () => {
    it('when a user is looked up in another case, then it is found', async () => {
      const { users, seed } = await setup();
      await seed(buildWatchedUser());

      const found = await users.find({
        tenantId: watchTenantId.toUpperCase(),
        userId: watchUserId.toUpperCase(),
      });

      expect(found).toEqual(buildWatchedUser());
    });

    it('when a missing user is updated with createIfMissing, then a fresh one is stored with lower-case ids, changed and stamped', async () => {
      const { users, clock } = await setup();
      clock.advanceBy(hour);

      const created = await users.update(
        { tenantId: watchTenantId.toUpperCase(), userId: watchUserId.toUpperCase() },
        (user) => ({ ...user, language: 'fi-FI' }),
        { createIfMissing: true },
      );

      const expected = buildWatchedUser({
        language: 'fi-FI',
        reconciliationSlot: reconciliationSlotOf(watchTenantId, watchUserId),
        updatedAt: clock.now().toISOString(),
      });
      expect(created).toEqual(expected);
      expect(await users.find({ tenantId: watchTenantId, userId: watchUserId })).toEqual(expected);
    });

    it('when a missing user is updated without createIfMissing, then nothing is stored', async () => {
      const { users } = await setup();

      const updated = await users.update({ tenantId: watchTenantId, userId: watchUserId }, (user) => user);

      expect(updated).toBeUndefined();
      expect(await users.find({ tenantId: watchTenantId, userId: watchUserId })).toBeUndefined();
    });

    it('when a change returns undefined, then the user is returned as stored and left alone', async () => {
      const { users, seed, clock } = await setup();
      await seed(buildWatchedUser());
      clock.advanceBy(hour);

      const result = await users.update({ tenantId: watchTenantId, userId: watchUserId }, () => undefined);

      expect(result).toEqual(buildWatchedUser());
      expect(await users.find({ tenantId: watchTenantId, userId: watchUserId })).toEqual(buildWatchedUser());
    });

    it('when a change returns undefined for a missing user with createIfMissing, then the fresh user is returned but not stored', async () => {
      const { users } = await setup();

      const result = await users.update({ tenantId: watchTenantId, userId: watchUserId }, () => undefined, {
        createIfMissing: true,
      });

      expect(result).toMatchObject({ id: watchUserId, state: 'not-activated', enabled: true });
      expect(await users.find({ tenantId: watchTenantId, userId: watchUserId })).toBeUndefined();
    });

    it('when a change rewrites the ids or the timestamp, then the stored user keeps its key and is stamped now', async () => {
      const { users, seed, clock } = await setup();
      await seed(buildWatchedUser());
      clock.advanceBy(hour);

      const updated = await users.update({ tenantId: watchTenantId, userId: watchUserId }, (user) => ({
        ...user,
        id: 'someone-else',
        updatedAt: '2000-01-01T00:00:00.000Z',
      }));

      expect(updated).toMatchObject({
        id: watchUserId,
        tenantId: watchTenantId,
        updatedAt: clock.now().toISOString(),
      });
    });

    it('when two updates race, then both changes land', async () => {
      const { users, seed } = await setup();
      await seed(buildWatchedUser());
      const key = { tenantId: watchTenantId, userId: watchUserId };
      const oneMoreFailure = (user: WatchedUser) => ({
        ...user,
        consecutiveFailures: user.consecutiveFailures + 1,
      });

      await Promise.all([users.update(key, oneMoreFailure), users.update(key, oneMoreFailure)]);

      expect((await users.find(key))?.consecutiveFailures).toBe(2);
    });

    it('when renewals are due, then the enabled activated users expiring before the time are found', async () => {
      const { users, seed, clock } = await setup();
      const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
      await seed(
        buildWatchedUser({ id: 'due', state: 'activated', subscriptionExpiresAt: at(hour) }),
        buildWatchedUser({
          id: 'due',
          tenantId: otherTenantId,
          state: 'activated',
          subscriptionExpiresAt: at(2 * hour),
        }),
        buildWatchedUser({ id: 'later', state: 'activated', subscriptionExpiresAt: at(30 * hour) }),
        buildWatchedUser({ id: 'exactly', state: 'activated', subscriptionExpiresAt: at(24 * hour) }),
        buildWatchedUser({
          id: 'disabled',
          enabled: false,
          state: 'activated',
          subscriptionExpiresAt: at(hour),
        }),
        buildWatchedUser({ id: 'in-error', state: 'error', subscriptionExpiresAt: at(hour) }),
        buildWatchedUser({ id: 'no-subscription', state: 'activated' }),
      );

      const due = await users.dueForRenewal(new Date(clock.now().getTime() + 24 * hour));

      expect(sortedIds(due)).toEqual([`${otherTenantId}/due`, `${watchTenantId}/due`].sort());
    });

    it('when retries are due, then the enabled users in Error whose retry time has come are found', async () => {
      const { users, seed, clock } = await setup();
      const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
      await seed(
        buildWatchedUser({ id: 'past', state: 'error', nextRetryAt: at(-hour) }),
        buildWatchedUser({ id: 'now', state: 'error', nextRetryAt: at(0) }),
        buildWatchedUser({ id: 'future', state: 'error', nextRetryAt: at(1_000) }),
        buildWatchedUser({ id: 'disabled', enabled: false, state: 'error', nextRetryAt: at(-hour) }),
        buildWatchedUser({ id: 'activated', state: 'activated', nextRetryAt: at(-hour) }),
      );

      const due = await users.dueForRetry(clock.now());

      expect(sortedIds(due)).toEqual([`${watchTenantId}/now`, `${watchTenantId}/past`]);
    });

    it('when a reconciliation tick’s users are asked for, then the activated ones whose slot is in range come, and those with none stored', async () => {
      const { users, seed } = await setup();
      await seed(
        buildWatchedUser({ id: 'start', state: 'activated', reconciliationSlot: 60_000 }),
        buildWatchedUser({
          id: 'inside',
          tenantId: otherTenantId,
          state: 'activated',
          reconciliationSlot: 200_000,
        }),
        buildWatchedUser({ id: 'end', state: 'activated', reconciliationSlot: 360_000 }),
        buildWatchedUser({ id: 'before', state: 'activated', reconciliationSlot: 59_999 }),
        buildWatchedUser({ id: 'unslotted', state: 'activated', reconciliationSlot: null }),
        buildWatchedUser({ id: 'disabled', enabled: false, state: 'activated', reconciliationSlot: 100_000 }),
        buildWatchedUser({ id: 'in-error', state: 'error', reconciliationSlot: 100_000 }),
      );

      expect(sortedIds(await users.dueForReconciliation(60_000, 360_000))).toEqual(
        [`${watchTenantId}/start`, `${otherTenantId}/inside`, `${watchTenantId}/unslotted`].sort(),
      );
    });

    it('when the activated users are asked for, then the enabled ones of every tenant are found', async () => {
      const { users, seed } = await setup();
      await seed(
        buildWatchedUser({ id: 'a', state: 'activated' }),
        buildWatchedUser({ id: 'b', tenantId: otherTenantId, state: 'activated' }),
        buildWatchedUser({ id: 'c', enabled: false, state: 'activated' }),
        buildWatchedUser({ id: 'd', state: 'error' }),
      );

      expect(sortedIds(await users.activated())).toEqual([`${otherTenantId}/b`, `${watchTenantId}/a`].sort());
    });

    it('when a tenant’s users are listed, then they come ordered by id, of that tenant and state only', async () => {
      const { users, seed } = await setup();
      await seed(
        buildWatchedUser({ id: 'c', state: 'error' }),
        buildWatchedUser({ id: 'a', state: 'activated' }),
        buildWatchedUser({ id: 'b', state: 'error' }),
        buildWatchedUser({ id: 'a', tenantId: otherTenantId, state: 'error' }),
      );

      const all = await users.inTenant(watchTenantId.toUpperCase());
      const inError = await users.inTenant(watchTenantId, 'error');

      expect(all.map((user) => user.id)).toEqual(['a', 'b', 'c']);
      expect(inError.map((user) => user.id)).toEqual(['b', 'c']);
    });
  });
}
