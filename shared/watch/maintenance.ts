import { graphErrorBodySchema, graphSubscriptionSchema } from '../adapters/graph/graphModels.js';
import { requestActivation } from './lifecycle.js';
import { updateWatchedUser } from './userRecords.js';
import { subscriptionLifetimeMs, type WatchContext } from './watchContext.js';
import { type WatchedUser, withFailure } from './watchedUser.js';

function byTenant(users: readonly WatchedUser[]): Map<string, WatchedUser[]> {
  const groups = new Map<string, WatchedUser[]>();
  for (const user of users) groups.set(user.tenantId, [...(groups.get(user.tenantId) ?? []), user]);
  return groups;
}

export interface RenewalSummary {
  due: number;
  renewed: number;
  recreating: number;
  failed: number;
}

/**
 * Renews every subscription that expires within a day, 20 to a `$batch` request. A subscription Graph
 * no longer knows is recreated through activation; other failures wait for the next run.
 */
export async function renewExpiringSubscriptions(
  context: WatchContext,
  horizonMs = 86_400_000,
): Promise<RenewalSummary> {
  const now = context.clock.now();
  const due = await context.users.queryAll({
    text: "SELECT * FROM c WHERE c.state = 'activated' AND c.enabled = true AND c.subscriptionExpiresAt < @threshold",
    parameters: [{ name: '@threshold', value: new Date(now.getTime() + horizonMs).toISOString() }],
  });
  const summary: RenewalSummary = { due: due.length, renewed: 0, recreating: 0, failed: 0 };
  const expiration = new Date(now.getTime() + subscriptionLifetimeMs).toISOString();
  for (const [tenantId, users] of byTenant(due)) {
    const withSubscription = users.filter((user) => user.subscriptionId);
    const results = await context.calendar.batch(
      tenantId,
      withSubscription.map((user) => ({
        id: user.id,
        method: 'PATCH' as const,
        url: `/subscriptions/${user.subscriptionId}`,
        body: { expirationDateTime: expiration },
      })),
    );
    for (const user of withSubscription) {
      const result = results.get(user.id);
      const renewed = result?.status === 200 ? graphSubscriptionSchema.safeParse(result.body) : undefined;
      if (renewed?.success) {
        await updateWatchedUser(context.users, context.clock, { tenantId, userId: user.id }, (current) =>
          current.subscriptionId === renewed.data.id
            ? { ...current, subscriptionExpiresAt: new Date(renewed.data.expirationDateTime).toISOString() }
            : undefined,
        );
        summary.renewed += 1;
      } else if (result?.status === 404) {
        await requestActivation(
          context,
          { action: 'activate', cause: 'renewal-failed', tenantId, userId: user.id },
          user.subscriptionId ?? '',
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
  const due = await context.users.queryAll({
    text: "SELECT * FROM c WHERE c.state = 'error' AND c.enabled = true AND c.nextRetryAt <= @now",
    parameters: [{ name: '@now', value: context.clock.now().toISOString() }],
  });
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
 * left Exchange Online (Graph's 404 on mailbox settings), go to Error with the reason. A missing
 * subscription is recreated at once; a gone mailbox waits for the retry schedule.
 */
export async function refreshWatches(context: WatchContext): Promise<WatchRefreshSummary> {
  const watched = await context.users.queryAll({
    text: "SELECT * FROM c WHERE c.state = 'activated' AND c.enabled = true",
  });
  const summary: WatchRefreshSummary = { checked: watched.length, subscriptionMissing: 0, mailboxGone: 0 };
  for (const [tenantId, users] of byTenant(watched)) {
    const live = new Set(
      (await context.calendar.listSubscriptions(tenantId)).map((subscription) => subscription.id),
    );
    const results = await context.calendar.batch(
      tenantId,
      users.map((user) => ({
        id: user.id,
        method: 'GET' as const,
        url: `/users/${user.id}/mailboxSettings?$select=timeZone`,
      })),
    );
    for (const user of users) {
      const result = results.get(user.id);
      const graphCode = graphErrorBodySchema.safeParse(result?.body).data?.error.code;
      if (
        result?.status === 404 &&
        (graphCode === 'MailboxNotEnabledForRESTAPI' ||
          graphCode === 'Request_ResourceNotFound' ||
          graphCode === 'ResourceNotFound')
      ) {
        await updateWatchedUser(context.users, context.clock, { tenantId, userId: user.id }, (current) =>
          withFailure(current, 'mailbox-gone', context.clock.now()),
        );
        summary.mailboxGone += 1;
      } else if (user.subscriptionId && !live.has(user.subscriptionId)) {
        await updateWatchedUser(context.users, context.clock, { tenantId, userId: user.id }, (current) =>
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
