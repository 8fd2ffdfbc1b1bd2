import { afterEach, describe, expect, it } from 'vitest';
import {
  refreshWatches,
  renewExpiringSubscriptions,
  retryErroredUsers,
} from '../../../shared/watch/maintenance.js';
import { messageIdFor } from '../../../shared/watch/messages.js';
import { subscriptionLifetimeMs } from '../../../shared/watch/watchContext.js';
import {
  buildWatch,
  buildWatchedUser,
  type WatchHarness,
  watchTenantId,
  watchUserId,
} from '../../support/watchBuilders.js';

const otherTenantId = '7c1a2b3d-0000-4e5f-8a9b-0c1d2e3f4a5c';
const userIds = {
  due: watchUserId,
  later: '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02',
  elsewhere: '1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03',
};
const hour = 3_600_000;
let watch: WatchHarness;

afterEach(async () => {
  await watch.bus.close();
});

/** An activated user whose subscription the fake service holds, expiring `expiresInMs` from now. */
function activatedUser(harness: WatchHarness, userId: string, expiresInMs: number, tenantId = watchTenantId) {
  const expiresAt = new Date(harness.clock.now().getTime() + expiresInMs);
  const subscription = harness.mailboxes.addSubscription({ tenantId, userId, expiresAt });
  const user = buildWatchedUser({
    id: userId,
    tenantId,
    state: 'activated',
    subscriptionId: subscription.id,
    subscriptionExpiresAt: expiresAt.toISOString(),
    deltaLink: 'fake-delta:0',
  });
  harness.users.seed(user);
  return { user, subscription };
}

describe('renewing subscriptions', () => {
  it('when subscriptions expire within a day, then each tenant’s are renewed at once and the new expiry stored', async () => {
    watch = buildWatch();
    const due = activatedUser(watch, userIds.due, 2 * hour);
    const elsewhere = activatedUser(watch, userIds.elsewhere, 23 * hour, otherTenantId);
    const later = activatedUser(watch, userIds.later, 30 * hour);
    watch.users.seed(
      buildWatchedUser({
        id: 'disabled',
        enabled: false,
        state: 'activated',
        subscriptionExpiresAt: watch.clock.now().toISOString(),
      }),
    );
    const renewedUntil = new Date(watch.clock.now().getTime() + subscriptionLifetimeMs);

    const summary = await renewExpiringSubscriptions(watch.context);

    expect(summary).toEqual({ due: 2, renewed: 2, recreating: 0, failed: 0 });
    expect(watch.mailboxes.callsOf('renewAll')).toEqual(
      expect.arrayContaining([
        [watchTenantId, [due.subscription.id], renewedUntil],
        [otherTenantId, [elsewhere.subscription.id], renewedUntil],
      ]),
    );
    expect(watch.mailboxes.callsOf('renewAll')).toHaveLength(2);
    expect(
      (await watch.users.find({ tenantId: watchTenantId, userId: userIds.due }))?.subscriptionExpiresAt,
    ).toBe(renewedUntil.toISOString());
    expect(
      (await watch.users.find({ tenantId: watchTenantId, userId: userIds.later }))?.subscriptionExpiresAt,
    ).toBe(later.user.subscriptionExpiresAt);
    expect(watch.counters.get('renewal.renewed')).toBe(2);
  });

  it('when Graph no longer knows a due subscription, then the user goes to activation under a MessageId of that subscription', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch, userIds.due, 2 * hour);
    watch.mailboxes.subscriptionsById.delete(subscription.id);

    const summary = await renewExpiringSubscriptions(watch.context);

    expect(summary).toEqual({ due: 1, renewed: 0, recreating: 1, failed: 0 });
    expect(watch.sent('user-activation')).toEqual([
      {
        messageId: messageIdFor('activation', 'activate', watchTenantId, userIds.due, subscription.id),
        body: {
          version: 1,
          action: 'activate',
          cause: 'renewal-failed',
          tenantId: watchTenantId,
          userId: userIds.due,
        },
      },
    ]);
  });

  it('when a renewal fails otherwise, then it is counted and the user waits for the next run', async () => {
    watch = buildWatch();
    const { subscription, user } = activatedUser(watch, userIds.due, 2 * hour);
    watch.mailboxes.failingRenewals.add(subscription.id);

    const summary = await renewExpiringSubscriptions(watch.context);

    expect(summary).toEqual({ due: 1, renewed: 0, recreating: 0, failed: 1 });
    expect(watch.counters.get('renewal.failed')).toBe(1);
    expect(watch.sent('user-activation')).toEqual([]);
    expect(await watch.users.find({ tenantId: watchTenantId, userId: userIds.due })).toEqual(user);
  });

  it('when the user got a new subscription while the renewal ran, then the new one’s expiry is left alone', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch, userIds.due, 2 * hour);
    const key = { tenantId: watchTenantId, userId: userIds.due };
    watch.users.interleaveBeforeNextWrite(() =>
      watch.users.seed(
        buildWatchedUser({
          state: 'activated',
          subscriptionId: 'newer',
          subscriptionExpiresAt: '2026-11-29T00:00:00.000Z',
        }),
      ),
    );

    await renewExpiringSubscriptions(watch.context);

    expect(watch.mailboxes.subscriptionsById.has(subscription.id)).toBe(true);
    expect(await watch.users.find(key)).toMatchObject({
      subscriptionId: 'newer',
      subscriptionExpiresAt: '2026-11-29T00:00:00.000Z',
    });
  });
});

describe('retrying users in Error', () => {
  it('when a user’s retry time has come, then the user goes to activation under a MessageId of that retry time', async () => {
    watch = buildWatch();
    const now = watch.clock.now().getTime();
    const retryAt = new Date(now - 60_000).toISOString();
    watch.users.seed(
      buildWatchedUser({
        id: userIds.due,
        state: 'error',
        errorReason: 'subscribe-failed',
        nextRetryAt: retryAt,
      }),
      buildWatchedUser({
        id: userIds.later,
        state: 'error',
        errorReason: 'subscribe-failed',
        nextRetryAt: new Date(now + 60_000).toISOString(),
      }),
      buildWatchedUser({ id: 'disabled', enabled: false, state: 'error', nextRetryAt: retryAt }),
    );

    const requested = await retryErroredUsers(watch.context);

    expect(requested).toBe(1);
    expect(watch.sent('user-activation')).toEqual([
      {
        messageId: messageIdFor('activation', 'activate', watchTenantId, userIds.due, retryAt),
        body: {
          version: 1,
          action: 'activate',
          cause: 'retry',
          tenantId: watchTenantId,
          userId: userIds.due,
        },
      },
    ]);
    expect(watch.counters.get('retry.requested')).toBe(1);
  });

  it('when the timer runs twice before the retry is taken up, then the bus drops the second message as a duplicate', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser({ state: 'error', nextRetryAt: watch.clock.now().toISOString() }));

    await retryErroredUsers(watch.context);
    await retryErroredUsers(watch.context);

    expect(watch.bus.diagnostics('user-activation')).toMatchObject({ sent: 1, duplicatesDropped: 1 });
  });
});

describe('the daily watch refresh', () => {
  it('when a mailbox is gone, then its user is in Error with mailbox-gone and waits for the retry schedule', async () => {
    watch = buildWatch();
    activatedUser(watch, userIds.due, 100 * hour);
    activatedUser(watch, userIds.later, 100 * hour);
    watch.mailboxes.markGone({ tenantId: watchTenantId, userId: userIds.due });

    const summary = await refreshWatches(watch.context);

    expect(summary).toEqual({ checked: 2, subscriptionMissing: 0, mailboxGone: 1 });
    expect(await watch.users.find({ tenantId: watchTenantId, userId: userIds.due })).toMatchObject({
      state: 'error',
      errorReason: 'mailbox-gone',
      nextRetryAt: '2026-11-22T11:00:00.000Z',
    });
    expect((await watch.users.find({ tenantId: watchTenantId, userId: userIds.later }))?.state).toBe(
      'activated',
    );
    expect(watch.sent('user-activation')).toEqual([]);
    expect(watch.counters.get('refresh.mailbox-gone')).toBe(1);
  });

  it('when Graph no longer lists a subscription, then its user is in Error with subscription-missing and goes to activation at once', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch, userIds.due, 100 * hour);
    watch.mailboxes.subscriptionsById.delete(subscription.id);

    const summary = await refreshWatches(watch.context);

    expect(summary).toEqual({ checked: 1, subscriptionMissing: 1, mailboxGone: 0 });
    expect(await watch.users.find({ tenantId: watchTenantId, userId: userIds.due })).toMatchObject({
      state: 'error',
      errorReason: 'subscription-missing',
      subscriptionId: null,
      subscriptionExpiresAt: null,
    });
    expect(watch.sent('user-activation')).toEqual([
      {
        messageId: messageIdFor('activation', 'activate', watchTenantId, userIds.due, subscription.id),
        body: {
          version: 1,
          action: 'activate',
          cause: 'subscription-missing',
          tenantId: watchTenantId,
          userId: userIds.due,
        },
      },
    ]);
    expect(watch.counters.get('refresh.subscription-missing')).toBe(1);
  });

  it('when the mailbox check gets no answer, then the subscription is still checked', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch, userIds.due, 100 * hour);
    watch.mailboxes.subscriptionsById.delete(subscription.id);
    watch.mailboxes.unanswerableMailboxes.add(userIds.due);

    const summary = await refreshWatches(watch.context);

    expect(summary).toEqual({ checked: 1, subscriptionMissing: 1, mailboxGone: 0 });
  });

  it('when every mailbox and subscription is in place, then nothing changes', async () => {
    watch = buildWatch();
    const { user } = activatedUser(watch, userIds.due, 100 * hour);

    const summary = await refreshWatches(watch.context);

    expect(summary).toEqual({ checked: 1, subscriptionMissing: 0, mailboxGone: 0 });
    expect(await watch.users.find({ tenantId: watchTenantId, userId: userIds.due })).toEqual(user);
  });
});
