import { afterEach, describe, expect, it } from 'vitest';
import { processLifecycle } from '../../../shared/watch/lifecycle.js';
import { subscriptionLifetimeMs } from '../../../shared/watch/watchContext.js';
import { calendarServiceError } from '../../support/fakes/fakeMailboxWatch.js';
import {
  buildLifecycleMessage,
  buildWatch,
  buildWatchedUser,
  type WatchHarness,
  watchTenantId,
  watchUserId,
} from '../../support/watchBuilders.js';

const mailbox = { tenantId: watchTenantId, userId: watchUserId };
const anyWindow = { from: new Date('2026-11-15T00:00:00Z'), to: new Date('2026-12-23T00:00:00Z') };
let watch: WatchHarness;

afterEach(async () => {
  await watch.bus.close();
});

/** An activated user whose subscription the fake service holds, expiring in an hour. */
function activatedUser(harness: WatchHarness, deltaLink: string | null = null) {
  const subscription = harness.mailboxes.addSubscription({
    ...mailbox,
    expiresAt: new Date('2026-11-22T11:00:00Z'),
  });
  const user = buildWatchedUser({
    state: 'activated',
    subscriptionId: subscription.id,
    subscriptionExpiresAt: '2026-11-22T11:00:00.000Z',
    deltaLink,
    activatedAt: '2026-11-01T00:00:00.000Z',
  });
  harness.users.seed(user);
  return { subscription, user };
}

describe('lifecycle notifications', () => {
  it('when Graph asks for reauthorization, then the subscription is reauthorized, renewed and its new expiry stored', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch);
    const expected = new Date(watch.clock.now().getTime() + subscriptionLifetimeMs);

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'reauthorizationRequired' }),
    );

    expect(outcome).toBe('renewed');
    expect(watch.mailboxes.callsOf('reauthorize')).toEqual([[watchTenantId, subscription.id]]);
    expect(watch.mailboxes.subscriptionsById.get(subscription.id)?.expiresAt).toEqual(expected);
    expect(await watch.users.find(mailbox)).toMatchObject({
      state: 'activated',
      subscriptionId: subscription.id,
      subscriptionExpiresAt: expected.toISOString(),
    });
    expect(watch.counters.get('lifecycle.reauthorized')).toBe(1);
  });

  it('when reauthorization finds the subscription gone, then activation is requested to recreate it', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch);
    watch.mailboxes.subscriptionsById.delete(subscription.id);

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'reauthorizationRequired' }),
    );

    expect(outcome).toBe('recreating');
    expect(watch.sent('user-activation').map((message) => message.body)).toEqual([
      { version: 1, action: 'activate', cause: 'subscription-removed', ...mailbox },
    ]);
  });

  it('when Graph refuses the reauthorization, then the user is in Error with the reason', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch);
    watch.mailboxes.failNext('reauthorize', calendarServiceError('unauthorized', 403, 'ErrorAccessDenied'));

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'reauthorizationRequired' }),
    );

    expect(outcome).toBe('failed');
    expect(await watch.users.find(mailbox)).toMatchObject({
      state: 'error',
      errorReason: 'unauthorized',
      consecutiveFailures: 1,
    });
  });

  it('when Graph says the subscription was removed, then activation is requested to recreate it', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch);

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'subscriptionRemoved' }),
    );

    expect(outcome).toBe('recreating');
    expect(watch.sent('user-activation').map((message) => message.body)).toEqual([
      { version: 1, action: 'activate', cause: 'subscription-removed', ...mailbox },
    ]);
    expect(watch.mailboxes.calls).toEqual([]);
  });

  it('when notifications were missed, then the calendar is resynced from the stored delta link and the new link stored', async () => {
    watch = buildWatch();
    watch.mailboxes.putEvent(mailbox, 'unchanged');
    watch.mailboxes.putEvent(mailbox, 'cancelled');
    const { deltaLink } = await watch.mailboxes.calendarChanges(mailbox, { window: anyWindow });
    const { subscription } = activatedUser(watch, deltaLink);
    watch.mailboxes.putEvent(mailbox, 'added', 'key-added');
    watch.mailboxes.removeEvent(mailbox, 'cancelled');

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'missed' }),
    );

    const stored = await watch.users.find(mailbox);
    expect(outcome).toBe('resynced');
    expect(watch.sent('event-changes').map((message) => message.body)).toEqual([
      expect.objectContaining({
        eventId: 'added',
        changeType: 'updated',
        changeKey: 'key-added',
        source: 'resync',
      }),
      expect.objectContaining({
        eventId: 'cancelled',
        changeType: 'deleted',
        changeKey: null,
        source: 'resync',
      }),
    ]);
    expect(stored?.deltaLink).not.toBe(deltaLink);
    expect(
      (await watch.mailboxes.calendarChanges(mailbox, { deltaLink: stored?.deltaLink ?? '' })).changed,
    ).toEqual([]);
    expect(watch.counters.get('lifecycle.resynced')).toBe(1);
  });

  it('when the stored delta link has expired, then the calendar is synced in full over the window', async () => {
    watch = buildWatch();
    watch.mailboxes.putEvent(mailbox, 'first');
    const { deltaLink } = await watch.mailboxes.calendarChanges(mailbox, { window: anyWindow });
    const { subscription } = activatedUser(watch, deltaLink);
    watch.mailboxes.putEvent(mailbox, 'second');
    watch.mailboxes.expireDeltaLinks(mailbox);

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'missed' }),
    );

    expect(outcome).toBe('resynced');
    expect(watch.sent('event-changes').map((message) => message.body.eventId)).toEqual(['first', 'second']);
    expect(watch.mailboxes.callsOf('calendarChanges').at(-1)?.[1]).toHaveProperty('window');
    expect(watch.counters.get('sync.delta-expired')).toBe(1);
  });

  it('when the resync fails at Graph, then the user is in Error with sync-failed', async () => {
    watch = buildWatch();
    const { subscription } = activatedUser(watch, 'fake-delta:0');
    watch.mailboxes.failNext('calendarChanges', calendarServiceError('dependency-unavailable', 503));

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'missed' }),
    );

    expect(outcome).toBe('failed');
    expect(await watch.users.find(mailbox)).toMatchObject({ state: 'error', errorReason: 'sync-failed' });
  });

  it('when the notification is for a subscription the user no longer has, then it is ignored', async () => {
    watch = buildWatch();
    activatedUser(watch);

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({
        subscriptionId: 'an-older-subscription',
        lifecycleEvent: 'subscriptionRemoved',
      }),
    );

    expect(outcome).toBe('ignored');
    expect(watch.sent('user-activation')).toEqual([]);
    expect(watch.mailboxes.calls).toEqual([]);
    expect(watch.counters.get('lifecycle.ignored')).toBe(1);
  });

  it('when the user is no longer enabled, then the notification is ignored', async () => {
    watch = buildWatch();
    const { subscription, user } = activatedUser(watch);
    watch.users.seed({ ...user, enabled: false });

    const outcome = await processLifecycle(
      watch.context,
      buildLifecycleMessage({ subscriptionId: subscription.id, lifecycleEvent: 'missed' }),
    );

    expect(outcome).toBe('ignored');
  });
});
