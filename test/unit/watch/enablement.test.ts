import { afterEach, describe, expect, it } from 'vitest';
import { disableUsers, enableUsers, listUsers, userIdsSchema } from '../../../shared/watch/enablement.js';
import {
  buildWatch,
  buildWatchedUser,
  type WatchHarness,
  watchTenantId,
} from '../../support/watchBuilders.js';

const ids = {
  alice: '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01',
  bjorn: '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02',
  ayse: '1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03',
};
let watch: WatchHarness;

afterEach(async () => {
  await watch.bus.close();
});

describe('enabling users', () => {
  it('when new users are enabled, then each is recorded enabled with lower-case ids and queued for activation', async () => {
    watch = buildWatch();

    const result = await enableUsers(watch.context, watchTenantId.toUpperCase(), [
      ids.alice.toUpperCase(),
      ids.bjorn,
    ]);

    expect(result).toEqual({ queued: 2 });
    expect(await watch.users.inTenant(watchTenantId)).toEqual([
      expect.objectContaining({
        id: ids.alice,
        tenantId: watchTenantId,
        enabled: true,
        state: 'not-activated',
      }),
      expect.objectContaining({
        id: ids.bjorn,
        tenantId: watchTenantId,
        enabled: true,
        state: 'not-activated',
      }),
    ]);
    expect(watch.sent('user-activation').map((message) => message.body)).toEqual(
      expect.arrayContaining([
        { version: 1, action: 'activate', cause: 'enabled', tenantId: watchTenantId, userId: ids.alice },
        { version: 1, action: 'activate', cause: 'enabled', tenantId: watchTenantId, userId: ids.bjorn },
      ]),
    );
  });

  it('when an activated user is enabled again, then nothing changes and nothing is queued', async () => {
    watch = buildWatch();
    const alice = buildWatchedUser({ id: ids.alice, state: 'activated' });
    watch.users.seed(alice);

    const result = await enableUsers(watch.context, watchTenantId, [ids.alice]);

    expect(result).toEqual({ queued: 0 });
    expect(await watch.users.find({ tenantId: watchTenantId, userId: ids.alice })).toEqual(alice);
    expect(watch.sent('user-activation')).toEqual([]);
  });

  it('when a user in Error is enabled again, then activation is requested at once', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser({ id: ids.alice, state: 'error', errorReason: 'mailbox-gone' }));

    expect(await enableUsers(watch.context, watchTenantId, [ids.alice])).toEqual({ queued: 1 });
  });
});

describe('disabling users', () => {
  it('when users are disabled, then known ones are marked and queued for deactivation (again, if already disabled), unknown ones skipped', async () => {
    watch = buildWatch();
    watch.users.seed(
      buildWatchedUser({ id: ids.alice, state: 'activated' }),
      buildWatchedUser({ id: ids.bjorn, enabled: false }),
    );

    const result = await disableUsers(watch.context, watchTenantId, [ids.alice, ids.bjorn, ids.ayse]);

    expect(result).toEqual({ queued: 2 });
    expect(await watch.users.find({ tenantId: watchTenantId, userId: ids.alice })).toMatchObject({
      enabled: false,
      state: 'activated',
    });
    expect(await watch.users.find({ tenantId: watchTenantId, userId: ids.ayse })).toBeUndefined();
    expect(watch.sent('user-activation').map((message) => message.body)).toEqual(
      expect.arrayContaining([
        { version: 1, action: 'deactivate', cause: 'disabled', tenantId: watchTenantId, userId: ids.alice },
        { version: 1, action: 'deactivate', cause: 'disabled', tenantId: watchTenantId, userId: ids.bjorn },
      ]),
    );
  });
});

describe('listing users', () => {
  it('when users are listed by state, then only that state is shown, by id, without subscription or delta link', async () => {
    watch = buildWatch();
    watch.users.seed(
      buildWatchedUser({ id: ids.bjorn, state: 'error', errorReason: 'mailbox-gone', subscriptionId: 's-2' }),
      buildWatchedUser({ id: ids.alice, state: 'error', errorReason: 'unauthorized', deltaLink: 'link' }),
      buildWatchedUser({ id: ids.ayse, state: 'activated' }),
    );

    const listed = await listUsers(watch.context, watchTenantId.toUpperCase(), 'error');

    expect(listed.map((user) => user.id)).toEqual([ids.alice, ids.bjorn]);
    expect(Object.keys(listed[0] ?? {}).sort()).toEqual([
      'activatedAt',
      'authorization',
      'consecutiveFailures',
      'enabled',
      'errorReason',
      'id',
      'nextRetryAt',
      'reauthorizationAskedAt',
      'reconnectUrl',
      'state',
      'subscriptionExpiresAt',
      'updatedAt',
    ]);
  });

  it('when the user ids repeat or are not directory object ids, then the request is refused', () => {
    expect(userIdsSchema.safeParse({ userIds: [ids.alice, ids.alice.toUpperCase()] }).success).toBe(false);
    expect(userIdsSchema.safeParse({ userIds: ['alice@contoso.example'] }).success).toBe(false);
    expect(userIdsSchema.safeParse({ userIds: [ids.alice, ids.bjorn] }).success).toBe(true);
  });
});
