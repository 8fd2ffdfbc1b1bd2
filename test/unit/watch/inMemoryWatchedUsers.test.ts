import { describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../../shared/errors.js';
import { ManualClock } from '../../../shared/time/clock.js';
import { InMemoryWatchedUsers } from '../../support/fakes/inMemoryWatchedUsers.js';
import { buildWatchedUser, watchStart, watchTenantId, watchUserId } from '../../support/watchBuilders.js';
import { describeWatchedUsersContract } from '../../support/watchedUsersContract.js';

describeWatchedUsersContract('the in-memory fake', async () => {
  const clock = new ManualClock(watchStart);
  const users = new InMemoryWatchedUsers(clock);
  return { users, clock, seed: async (...seeded) => users.seed(...seeded) };
});

describe('the in-memory fake’s stand-in for a concurrent writer', () => {
  it('when another writer gets in between, then the change is asked again on what that writer left', async () => {
    const users = new InMemoryWatchedUsers(new ManualClock(watchStart));
    users.seed(buildWatchedUser());
    users.interleaveBeforeNextWrite(() => users.seed(buildWatchedUser({ language: 'nb-NO' })));
    const seen: Array<string | null> = [];

    const updated = await users.update({ tenantId: watchTenantId, userId: watchUserId }, (user) => {
      seen.push(user.language);
      return { ...user, consecutiveFailures: 1 };
    });

    expect(seen).toEqual([null, 'nb-NO']);
    expect(updated).toMatchObject({ language: 'nb-NO', consecutiveFailures: 1 });
  });

  it('when another writer wins every time, then the update fails as transient', async () => {
    const users = new InMemoryWatchedUsers(new ManualClock(watchStart));
    users.seed(buildWatchedUser());
    for (let round = 0; round < 10; round += 1)
      users.interleaveBeforeNextWrite(() => users.seed(buildWatchedUser()));

    const failure = await users
      .update({ tenantId: watchTenantId, userId: watchUserId }, (user) => user)
      .catch((error: unknown) => error);

    expect(hasErrorCode(failure, 'dependency-unavailable')).toBe(true);
  });
});
