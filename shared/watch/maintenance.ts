import type { TenantOrMailbox } from '../calendar/mailbox.js';
import type { SubscriptionRenewal } from '../calendar/mailboxWatch.js';
import { requestActivation } from './lifecycle.js';
import { reconciliationSlotOf } from './reconciliationSlot.js';
import { subscriptionLifetimeMs, type WatchContext } from './watchContext.js';
import { type WatchedUser, withFailure } from './watchedUser.js';

/**
 * Users grouped by whose token renews them: a tenant's app-consented users together (batched), each
 * connected user alone, with their own delegated token (their tenant may not have consented).
 */
function byTokenOwner(
  users: readonly WatchedUser[],
): Array<{ owner: TenantOrMailbox; tenantId: string; users: WatchedUser[] }> {
  const groups = new Map<string, { owner: TenantOrMailbox; tenantId: string; users: WatchedUser[] }>();
  for (const user of users) {
    const delegated = user.authorization === 'delegated';
    const key = delegated ? `${user.tenantId}|${user.id}` : user.tenantId;
    const group = groups.get(key) ?? {
      owner: delegated ? { tenantId: user.tenantId, userId: user.id } : user.tenantId,
      tenantId: user.tenantId,
      users: [],
    };
    group.users.push(user);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export interface RenewalSummary {
  due: number;
  renewed: number;
  recreating: number;
  failed: number;
}

/**
 * Renews every subscription that expires within a day, a tenant's at once (Graph: 20 to a `$batch`). A subscription Graph
 * no longer knows is recreated through activation; other failures wait for the next run.
 */
export async function renewExpiringSubscriptions(
  context: WatchContext,
  horizonMs = 86_400_000,
): Promise<RenewalSummary> {
  const now = context.clock.now();
  const due = await context.users.dueForRenewal(new Date(now.getTime() + horizonMs));
  const summary: RenewalSummary = { due: due.length, renewed: 0, recreating: 0, failed: 0 };
  const expiresAt = new Date(now.getTime() + subscriptionLifetimeMs);
  for (const { owner, tenantId, users } of byTokenOwner(due)) {
    const withSubscription = users.flatMap((user) =>
      user.subscriptionId ? [{ user, subscriptionId: user.subscriptionId }] : [],
    );
    const renewals = await context.mailboxes.renewAll(
      owner,
      withSubscription.map(({ subscriptionId }) => subscriptionId),
      expiresAt,
    );
    for (const { user, subscriptionId } of withSubscription) {
      const renewal: SubscriptionRenewal = renewals.get(subscriptionId) ?? { outcome: 'failed' };
      if (renewal.outcome === 'renewed') {
        await context.users.update({ tenantId, userId: user.id }, (current) =>
          current.subscriptionId === subscriptionId
            ? {
                ...current,
                subscriptionExpiresAt: renewal.expiresAt.toISOString(),
                reconciliationSlot: reconciliationSlotOf(current.tenantId, current.id),
              }
            : undefined,
        );
        summary.renewed += 1;
      } else if (renewal.outcome === 'gone') {
        await requestActivation(
          context,
          { action: 'activate', cause: 'renewal-failed', tenantId, userId: user.id },
          subscriptionId,
        );
        summary.recreating += 1;
      } else {
        summary.failed += 1;
      }
    }
  }
  context.counters.increment('renewal.renewed', summary.renewed);
  context.counters.increment('renewal.failed', summary.failed);
  return summary;
}

/** Sends every Error user whose retry time has come back through activation. */
export async function retryErroredUsers(context: WatchContext): Promise<number> {
  const due = await context.users.dueForRetry(context.clock.now());
  for (const user of due) {
    // The retry time makes the MessageId: two timer runs for the same retry send one message.
    await requestActivation(
      context,
      { action: 'activate', cause: 'retry', tenantId: user.tenantId, userId: user.id },
      user.nextRetryAt ?? '',
    );
  }
  context.counters.increment('retry.requested', due.length);
  return due.length;
}

export interface WatchRefreshSummary {
  checked: number;
  subscriptionMissing: number;
  mailboxGone: number;
}

/**
 * The daily watch refresh: users whose subscription Graph no longer lists, and users whose mailbox
 * left Exchange Online (a probe of every mailbox, batched), go to Error with the reason. A missing
 * subscription is recreated at once; a gone mailbox waits for the retry schedule.
 */
export async function refreshWatches(context: WatchContext): Promise<WatchRefreshSummary> {
  const watched = await context.users.activated();
  const summary: WatchRefreshSummary = { checked: watched.length, subscriptionMissing: 0, mailboxGone: 0 };
  for (const { owner, tenantId, users } of byTokenOwner(watched)) {
    const live = new Set(
      (await context.mailboxes.subscriptions(owner)).map((subscription) => subscription.id),
    );
    const availability = await context.mailboxes.mailboxAvailability(
      owner,
      users.map((user) => user.id),
    );
    for (const user of users) {
      if (availability.get(user.id) === 'gone') {
        await context.users.update({ tenantId, userId: user.id }, (current) =>
          withFailure(current, 'mailbox-gone', context.clock.now()),
        );
        summary.mailboxGone += 1;
      } else if (user.subscriptionId && !live.has(user.subscriptionId)) {
        await context.users.update({ tenantId, userId: user.id }, (current) =>
          withFailure(
            { ...current, subscriptionId: null, subscriptionExpiresAt: null },
            'subscription-missing',
            context.clock.now(),
          ),
        );
        await requestActivation(
          context,
          { action: 'activate', cause: 'subscription-missing', tenantId, userId: user.id },
          user.subscriptionId,
        );
        summary.subscriptionMissing += 1;
      }
    }
  }
  context.counters.increment('refresh.mailbox-gone', summary.mailboxGone);
  context.counters.increment('refresh.subscription-missing', summary.subscriptionMissing);
  return summary;
}
