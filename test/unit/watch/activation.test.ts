import { afterEach, describe, expect, it } from 'vitest';
import { hasErrorCode } from '../../../shared/errors.js';
import { activateUser, deactivateUser, errorReasonFor } from '../../../shared/watch/activation.js';
import { subscriptionLifetimeMs } from '../../../shared/watch/watchContext.js';
import { calendarServiceError } from '../../support/fakes/fakeMailboxWatch.js';
import {
  buildWatch,
  buildWatchedUser,
  type WatchHarness,
  watchTenantId,
  watchUserId,
} from '../../support/watchBuilders.js';

const mailbox = { tenantId: watchTenantId, userId: watchUserId };
const otherUserId = '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02';
let watch: WatchHarness;

afterEach(async () => {
  await watch.bus.close();
});

describe('activating a user', () => {
  it('when an enabled user is activated, then the mailbox is subscribed, its window synced and the user activated in its language', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser());
    watch.mailboxes.putEvent(mailbox, 'event-1', 'key-1');
    watch.mailboxes.setLanguage(mailbox, 'sv-SE');
    const now = watch.clock.now();

    const outcome = await activateUser(watch.context, {
      tenantId: watchTenantId.toUpperCase(),
      userId: watchUserId.toUpperCase(),
    });

    const [subscription, ...others] = watch.mailboxes.subscriptionsById.values();
    expect(outcome).toBe('activated');
    expect(others).toEqual([]);
    expect(subscription).toMatchObject({
      userId: watchUserId,
      notificationUrl: 'https://watch.example/api/notifications',
      lifecycleNotificationUrl: 'https://watch.example/api/lifecycle',
      expiresAt: new Date(now.getTime() + subscriptionLifetimeMs),
    });
    expect(watch.context.clientState.verify(subscription?.clientState, watchTenantId)).toBe(watchUserId);
    expect(await watch.users.find(mailbox)).toMatchObject({
      state: 'activated',
      subscriptionId: subscription?.id,
      subscriptionExpiresAt: new Date(now.getTime() + subscriptionLifetimeMs).toISOString(),
      deltaLink: expect.any(String),
      language: 'sv-SE',
      activatedAt: now.toISOString(),
      errorReason: null,
      consecutiveFailures: 0,
    });
    expect(watch.sent('event-changes').map((message) => message.body)).toEqual([
      expect.objectContaining({
        eventId: 'event-1',
        changeType: 'updated',
        changeKey: 'key-1',
        source: 'initial-sync',
        subscriptionId: null,
      }),
    ]);
    expect(watch.counters.get('activation.activated')).toBe(1);
  });

  it('when a leftover subscription of the mailbox and URL is in the way (409), then it is deleted and the subscription created again', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser());
    const leftover = watch.mailboxes.addSubscription(mailbox);
    const someoneElses = watch.mailboxes.addSubscription({ tenantId: watchTenantId, userId: otherUserId });

    const outcome = await activateUser(watch.context, mailbox);

    const user = await watch.users.find(mailbox);
    expect(outcome).toBe('activated');
    expect(watch.mailboxes.callsOf('unsubscribe')).toEqual([[watchTenantId, leftover.id]]);
    expect([...watch.mailboxes.subscriptionsById.keys()].sort()).toEqual(
      [someoneElses.id, user?.subscriptionId].sort(),
    );
    expect(user?.subscriptionId).not.toBe(leftover.id);
  });

  it('when the user had a subscription and a delta link, then the old subscription is replaced and the calendar resynced from the link', async () => {
    watch = buildWatch();
    const old = watch.mailboxes.addSubscription(mailbox);
    watch.mailboxes.putEvent(mailbox, 'seen-before');
    const { deltaLink } = await watch.mailboxes.calendarChanges(mailbox, { window: anyWindow });
    watch.mailboxes.putEvent(mailbox, 'new-since', 'key-2');
    watch.users.seed(buildWatchedUser({ state: 'error', subscriptionId: old.id, deltaLink }));

    const outcome = await activateUser(watch.context, mailbox);

    expect(outcome).toBe('activated');
    expect(watch.mailboxes.subscriptionsById.has(old.id)).toBe(false);
    expect(watch.sent('event-changes').map((message) => message.body)).toEqual([
      expect.objectContaining({ eventId: 'new-since', source: 'resync' }),
    ]);
  });

  it('when Graph refuses the subscription, then the user is in Error with the reason and a retry in 60 minutes', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser());
    watch.mailboxes.failNext('subscribe', calendarServiceError('request-rejected', 400, 'InvalidRequest'));

    const outcome = await activateUser(watch.context, mailbox);

    expect(outcome).toBe('failed');
    expect(await watch.users.find(mailbox)).toMatchObject({
      state: 'error',
      errorReason: 'subscribe-failed',
      consecutiveFailures: 1,
      nextRetryAt: '2026-11-22T11:00:00.000Z',
    });
    expect(watch.counters.get('activation.failed.subscribe-failed')).toBe(1);
  });

  it('when the mailbox is gone, then the user is in Error with mailbox-gone', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser({ consecutiveFailures: 2, state: 'error' }));
    watch.mailboxes.markGone(mailbox);

    const outcome = await activateUser(watch.context, mailbox);

    expect(outcome).toBe('failed');
    expect(await watch.users.find(mailbox)).toMatchObject({
      state: 'error',
      errorReason: 'mailbox-gone',
      consecutiveFailures: 3,
      nextRetryAt: '2026-11-23T10:00:00.000Z',
    });
  });

  it('when the sync fails at Graph, then the new subscription is kept and the user is in Error with sync-failed', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser());
    watch.mailboxes.failNext('calendarChanges', calendarServiceError('dependency-unavailable', 503));

    const outcome = await activateUser(watch.context, mailbox);

    const [subscription] = watch.mailboxes.subscriptionsById.values();
    expect(outcome).toBe('failed');
    expect(await watch.users.find(mailbox)).toMatchObject({
      state: 'error',
      errorReason: 'sync-failed',
      subscriptionId: subscription?.id,
    });
  });

  it('when the bus cannot take the synced changes, then the failure is thrown for the message to be retried and the user is not blamed', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser());
    watch.mailboxes.putEvent(mailbox, 'event-1');
    await watch.bus.close();

    const failure = await activateUser(watch.context, mailbox).catch((error: unknown) => error);

    expect(hasErrorCode(failure, 'dependency-unavailable')).toBe(true);
    expect((await watch.users.find(mailbox))?.state).toBe('not-activated');
    expect(watch.counters.snapshot()).toEqual({});
  });

  it('when the user is not enabled, then activation is skipped without calling Graph', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser({ enabled: false }));

    const outcome = await activateUser(watch.context, mailbox);

    expect(outcome).toBe('skipped');
    expect(watch.mailboxes.calls).toEqual([]);
  });

  it('when the mailbox language cannot be read, then the user is activated with the language it had', async () => {
    watch = buildWatch();
    watch.users.seed(buildWatchedUser({ language: 'de-DE' }));
    watch.mailboxes.failNext(
      'mailboxLanguage',
      calendarServiceError('unauthorized', 403, 'ErrorAccessDenied'),
    );

    const outcome = await activateUser(watch.context, mailbox);

    expect(outcome).toBe('activated');
    expect((await watch.users.find(mailbox))?.language).toBe('de-DE');
  });
});

describe('deactivating a user', () => {
  it('when a disabled user is deactivated, then the subscription is deleted and the user is Not activated', async () => {
    watch = buildWatch();
    const subscription = watch.mailboxes.addSubscription(mailbox);
    watch.users.seed(
      buildWatchedUser({
        enabled: false,
        state: 'activated',
        subscriptionId: subscription.id,
        subscriptionExpiresAt: '2026-11-29T00:00:00.000Z',
        deltaLink: 'fake-delta:0',
      }),
    );

    const outcome = await deactivateUser(watch.context, mailbox);

    expect(outcome).toBe('deactivated');
    expect(watch.mailboxes.subscriptionsById.size).toBe(0);
    expect(await watch.users.find(mailbox)).toMatchObject({
      enabled: false,
      state: 'not-activated',
      subscriptionId: null,
      subscriptionExpiresAt: null,
      deltaLink: null,
    });
    expect(watch.counters.get('activation.deactivated')).toBe(1);
  });

  it('when Graph refuses the deletion for good, then the user is deactivated all the same', async () => {
    watch = buildWatch();
    watch.users.seed(
      buildWatchedUser({ enabled: false, state: 'activated', subscriptionId: 'subscription-x' }),
    );
    watch.mailboxes.failNext('unsubscribe', calendarServiceError('unauthorized', 403, 'ErrorAccessDenied'));

    const outcome = await deactivateUser(watch.context, mailbox);

    expect(outcome).toBe('deactivated');
    expect((await watch.users.find(mailbox))?.state).toBe('not-activated');
  });

  it('when Graph is throttling the deletion, then the failure is thrown for the message to be retried', async () => {
    watch = buildWatch();
    watch.users.seed(
      buildWatchedUser({ enabled: false, state: 'activated', subscriptionId: 'subscription-x' }),
    );
    watch.mailboxes.failNext('unsubscribe', calendarServiceError('throttled', 429, 'TooManyRequests'));

    const failure = await deactivateUser(watch.context, mailbox).catch((error: unknown) => error);

    expect(hasErrorCode(failure, 'throttled')).toBe(true);
    expect((await watch.users.find(mailbox))?.state).toBe('activated');
  });

  it('when the user was enabled again meanwhile, then deactivation is skipped', async () => {
    watch = buildWatch();
    watch.users.seed(
      buildWatchedUser({ enabled: true, state: 'activated', subscriptionId: 'subscription-x' }),
    );

    expect(await deactivateUser(watch.context, mailbox)).toBe('skipped');
    expect(watch.mailboxes.calls).toEqual([]);
  });
});

describe('the Error reason of a failure', () => {
  it('when the calendar service names the cause, then the reason is that cause, else the stage that failed', () => {
    expect(errorReasonFor(calendarServiceError('mailbox-gone', 404), 'sync')).toBe('mailbox-gone');
    expect(errorReasonFor(calendarServiceError('unauthorized', 403), 'subscribe')).toBe('unauthorized');
    expect(errorReasonFor(calendarServiceError('not-found', 404), 'subscribe')).toBe('subscribe-failed');
    expect(errorReasonFor(calendarServiceError('throttled', 429), 'sync')).toBe('sync-failed');
  });
});

const anyWindow = { from: new Date('2026-11-15T00:00:00Z'), to: new Date('2026-12-23T00:00:00Z') };
