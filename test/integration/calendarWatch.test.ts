import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningLocalStack } from '../../dev/localStack.js';
import type { MailboxRef } from '../../shared/calendar/mailbox.js';
import { disableUsers, enableUsers, listUsers } from '../../shared/watch/enablement.js';
import {
  refreshWatches,
  renewExpiringSubscriptions,
  retryErroredUsers,
} from '../../shared/watch/maintenance.js';
import type { WatchedUser } from '../../shared/watch/watchedUser.js';
import { advanceClocks, startInProcessStack } from '../support/inProcessStack.js';

// The calendar watch with its real consumers, Cosmos, the in-process bus and the Graph simulator,
// driven through its use cases and the simulator's control API, with the clock moved by hand.
let stack: RunningLocalStack;
let tenantId: string;
const ids = {
  alice: '1e0d4b8a-0001-4c3f-9a7e-5b6c7d8e9f01',
  bjorn: '1e0d4b8a-0002-4c3f-9a7e-5b6c7d8e9f02',
  ayse: '1e0d4b8a-0003-4c3f-9a7e-5b6c7d8e9f03',
  kenji: '1e0d4b8a-0004-4c3f-9a7e-5b6c7d8e9f04',
};
const minute = 60_000;

async function user(userId: string): Promise<WatchedUser | undefined> {
  return stack.services.watch.users.find({ tenantId, userId });
}

function recentChanges(filter: (body: Record<string, unknown>) => boolean) {
  return stack.bus
    .diagnostics('event-changes')
    .recent.map((entry) => entry.body as Record<string, unknown>)
    .filter(filter);
}

async function control(path: string, body: unknown = {}) {
  return fetch(`${stack.graph.baseUrl}/_control${path}`, { method: 'POST', body: JSON.stringify(body) });
}

beforeAll(async () => {
  stack = await startInProcessStack();
  tenantId = stack.graph.tenant.tenantId;
});

afterAll(async () => {
  await stack?.stop();
});

describe('calendar watch', () => {
  it('when the stack starts, then every demo user is activated with a live subscription', async () => {
    const users = await listUsers(stack.services.watch, tenantId);
    const subscriptions = [...stack.graph.subscriptions.subscriptions.values()];

    expect(users).toHaveLength(stack.graph.tenant.users.length);
    expect(users.every((entry) => entry.state === 'activated')).toBe(true);
    expect(subscriptions.map((subscription) => subscription.mailboxId).sort()).toEqual(
      stack.graph.tenant.users.map((entry) => entry.id).sort(),
    );
    expect(
      subscriptions.every((subscription) => subscription.notificationUrl.endsWith('/api/notifications')),
    ).toBe(true);
    expect(subscriptions.every((subscription) => (subscription.clientState ?? '').length <= 128)).toBe(true);
  });

  it('when a user is enabled again after a disable, then the window is synced onto event-changes', async () => {
    const mailbox: MailboxRef = { tenantId, userId: ids.ayse };
    const event = await stack.services.calendar.createEvent(mailbox, {
      subject: 'Sync me',
      start: {
        dateTime: new Date(stack.clock.now().getTime() + 86_400_000).toISOString().slice(0, 19),
        timeZone: 'UTC',
      },
      end: {
        dateTime: new Date(stack.clock.now().getTime() + 90_000_000).toISOString().slice(0, 19),
        timeZone: 'UTC',
      },
    });
    await disableUsers(stack.services.watch, tenantId, [ids.ayse]);
    await stack.bus.idle();
    const disabled = await user(ids.ayse);

    await enableUsers(stack.services.watch, tenantId, [ids.ayse]);
    await stack.bus.idle();

    expect(disabled).toMatchObject({ enabled: false, state: 'not-activated', subscriptionId: null });
    expect(await user(ids.ayse)).toMatchObject({ enabled: true, state: 'activated' });
    expect(recentChanges((body) => body.eventId === event.id && body.source === 'initial-sync')).toHaveLength(
      1,
    );
  });

  it('when Graph sends subscriptionRemoved, then the subscription is recreated and the calendar resynced', async () => {
    const before = await user(ids.bjorn);

    await control(`/subscriptions/${before?.subscriptionId}/lifecycle`, {
      lifecycleEvent: 'subscriptionRemoved',
    });
    await expect
      .poll(async () => (await user(ids.bjorn))?.subscriptionId, { timeout: 5_000 })
      .not.toBe(before?.subscriptionId);
    await stack.bus.idle();
    const after = await user(ids.bjorn);

    expect(after?.state).toBe('activated');
    expect(stack.graph.subscriptions.subscriptions.has(after?.subscriptionId ?? '')).toBe(true);
    expect(stack.graph.subscriptions.subscriptions.has(before?.subscriptionId ?? '')).toBe(false);
  });

  it('when Graph sends reauthorizationRequired, then the subscription is reauthorized and renewed', async () => {
    const before = await user(ids.kenji);
    advanceClocks(stack, 60 * minute);

    await control(`/subscriptions/${before?.subscriptionId}/lifecycle`, {
      lifecycleEvent: 'reauthorizationRequired',
    });
    await expect
      .poll(async () => (await user(ids.kenji))?.subscriptionExpiresAt, { timeout: 5_000 })
      .not.toBe(before?.subscriptionExpiresAt);

    expect((await user(ids.kenji))?.subscriptionId).toBe(before?.subscriptionId);
    expect(Date.parse((await user(ids.kenji))?.subscriptionExpiresAt ?? '')).toBeGreaterThan(
      Date.parse(before?.subscriptionExpiresAt ?? ''),
    );
  });

  it('when Graph sends missed, then the calendar is resynced from the delta link', async () => {
    const mailbox: MailboxRef = { tenantId, userId: ids.kenji };
    const start = new Date(stack.clock.now().getTime() + 2 * 86_400_000);
    await stack.graph.subscriptions.settle();
    await stack.bus.idle();
    // A change whose notification was lost: the simulator drops it.
    stack.graph.subscriptions.dropRate = 1;
    const lost = await stack.services.calendar.createEvent(mailbox, {
      subject: 'Lost notification',
      start: { dateTime: start.toISOString().slice(0, 19), timeZone: 'UTC' },
      end: { dateTime: new Date(start.getTime() + 30 * minute).toISOString().slice(0, 19), timeZone: 'UTC' },
    });
    stack.graph.subscriptions.dropRate = 0;

    await control(`/subscriptions/${(await user(ids.kenji))?.subscriptionId}/lifecycle`, {
      lifecycleEvent: 'missed',
    });
    await expect
      .poll(() => recentChanges((body) => body.eventId === lost.id && body.source === 'resync').length, {
        timeout: 5_000,
      })
      .toBe(1);

    expect(recentChanges((body) => body.eventId === lost.id && body.source === 'notification')).toHaveLength(
      0,
    );
  });

  it('when the clock nears expiry, then the renewal timer renews every subscription in $batch requests', async () => {
    const before = await listUsers(stack.services.watch, tenantId, 'activated');
    advanceClocks(stack, 6.5 * 24 * 60 * minute);
    // The jump outdates the cached token; one call first, so the count below is of renewals alone.
    await stack.services.calendar.listSubscriptions(tenantId);
    await control('/stats/reset');

    const summary = await renewExpiringSubscriptions(stack.services.watch);
    const stats = (await (await fetch(`${stack.graph.baseUrl}/_control/stats`)).json()) as {
      requests: Record<string, number>;
    };
    const after = await listUsers(stack.services.watch, tenantId, 'activated');

    expect(summary).toMatchObject({ due: before.length, renewed: before.length, failed: 0 });
    expect(stats.requests).toEqual({ 'POST $batch': 1 });
    for (const renewed of after)
      expect(Date.parse(renewed.subscriptionExpiresAt ?? '')).toBeGreaterThan(
        stack.clock.now().getTime() + 6 * 86_400_000,
      );
    console.log(
      `renewal: ${summary.renewed} subscriptions renewed with ${stats.requests['POST $batch']} Graph request(s)`,
    );
  });

  it('when a mailbox fails activation, then it is retried after 60 minutes, and after three failures after 24 hours', async () => {
    await control(`/mailboxes/${ids.alice}/gone`);
    await disableUsers(stack.services.watch, tenantId, [ids.alice]);
    await stack.bus.idle();
    await enableUsers(stack.services.watch, tenantId, [ids.alice]);
    await stack.bus.idle();
    const retryOnce = async () => {
      const due = await retryErroredUsers(stack.services.watch);
      await stack.bus.idle();
      return due;
    };

    const first = await user(ids.alice);
    advanceClocks(stack, 59 * minute);
    const dueEarly = await retryOnce();
    advanceClocks(stack, 1 * minute);
    const dueAt60 = await retryOnce();
    const second = await user(ids.alice);
    advanceClocks(stack, 60 * minute);
    await retryOnce();
    const third = await user(ids.alice);
    advanceClocks(stack, 60 * minute);
    const dueAfterThird = await retryOnce();
    advanceClocks(stack, 23 * 60 * minute);
    const dueAt24h = await retryOnce();
    await control(`/mailboxes/${ids.alice}/restore`);
    advanceClocks(stack, 24 * 60 * minute);
    await retryOnce();

    expect(first).toMatchObject({ state: 'error', errorReason: 'mailbox-gone', consecutiveFailures: 1 });
    // The record's timestamp is taken a moment after the retry time was set from the same clock.
    expect(Date.parse(first?.nextRetryAt ?? '') - Date.parse(first?.updatedAt ?? '')).toBeGreaterThan(
      60 * minute - 1_000,
    );
    expect(Date.parse(first?.nextRetryAt ?? '') - Date.parse(first?.updatedAt ?? '')).toBeLessThanOrEqual(
      60 * minute,
    );
    expect([dueEarly, dueAt60]).toEqual([0, 1]);
    expect(second).toMatchObject({ state: 'error', consecutiveFailures: 2 });
    expect(third).toMatchObject({ state: 'error', consecutiveFailures: 3 });
    expect(Date.parse(third?.nextRetryAt ?? '') - Date.parse(third?.updatedAt ?? '')).toBeGreaterThan(
      24 * 60 * minute - 1_000,
    );
    expect(Date.parse(third?.nextRetryAt ?? '') - Date.parse(third?.updatedAt ?? '')).toBeLessThanOrEqual(
      24 * 60 * minute,
    );
    expect([dueAfterThird, dueAt24h]).toEqual([0, 1]);
    expect(await user(ids.alice)).toMatchObject({
      state: 'activated',
      consecutiveFailures: 0,
      errorReason: null,
    });
  });

  it('when the daily refresh runs, then a gone mailbox and a vanished subscription are found and put in Error', async () => {
    await control(`/mailboxes/${ids.bjorn}/gone`);
    const ayse = await user(ids.ayse);
    stack.graph.subscriptions.subscriptions.delete(ayse?.subscriptionId ?? '');

    const summary = await refreshWatches(stack.services.watch);
    const bjornAfter = await user(ids.bjorn);
    await stack.bus.idle();

    expect(summary).toMatchObject({ mailboxGone: 1, subscriptionMissing: 1 });
    expect(bjornAfter).toMatchObject({ state: 'error', errorReason: 'mailbox-gone' });
    expect(await user(ids.ayse)).toMatchObject({ state: 'activated' });
    expect((await user(ids.ayse))?.subscriptionId).not.toBe(ayse?.subscriptionId);
    await control(`/mailboxes/${ids.bjorn}/restore`);
  });
});

describe('the local stack’s state folder', () => {
  it('when the stack is up, then endpoints.json (which holds secrets) is readable by its owner only and no temporary file is left', async () => {
    const endpoints = await stat(join(stack.stateDir, 'endpoints.json'));
    const leftovers = (await readdir(stack.stateDir)).filter((name) => name.endsWith('.tmp'));

    expect(endpoints.mode & 0o777).toBe(0o600);
    expect(leftovers).toEqual([]);
  });
});
