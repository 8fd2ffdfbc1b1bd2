import { z } from 'zod';
import { requestActivation } from './lifecycle.js';
import type { WatchContext } from './watchContext.js';
import { userStates, type WatchedUser } from './watchedUser.js';

/** Directory object ids: GUIDs. Mail addresses are refused so that none lands in the store. */
export const userIdsSchema = z.object({
  userIds: z
    .array(z.uuid('each user id must be a directory object id (a GUID)'))
    .min(1)
    .max(1_000)
    .refine(
      (ids) => new Set(ids.map((id) => id.toLowerCase())).size === ids.length,
      'user ids must be unique',
    ),
});

async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}

/** Enables users (single or bulk): each is recorded and queued for activation. */
export async function enableUsers(
  context: WatchContext,
  tenantId: string,
  userIds: readonly string[],
): Promise<{ queued: number }> {
  let queued = 0;
  await inParallel(userIds, 16, async (userId) => {
    const user = await context.users.update(
      { tenantId, userId },
      (current) =>
        current.enabled && current.state !== 'not-activated' ? undefined : { ...current, enabled: true },
      { createIfMissing: true },
    );
    if (user && user.state !== 'activated') {
      await requestActivation(context, {
        action: 'activate',
        cause: 'enabled',
        tenantId: user.tenantId,
        userId: user.id,
      });
      queued += 1;
    }
  });
  return { queued };
}

/** Disables users: no longer watched; their subscriptions are deleted by the activation consumer. */
export async function disableUsers(
  context: WatchContext,
  tenantId: string,
  userIds: readonly string[],
): Promise<{ queued: number }> {
  let queued = 0;
  await inParallel(userIds, 16, async (userId) => {
    const user = await context.users.update({ tenantId, userId }, (current) =>
      current.enabled ? { ...current, enabled: false } : undefined,
    );
    if (user) {
      await requestActivation(context, {
        action: 'deactivate',
        cause: 'disabled',
        tenantId: user.tenantId,
        userId: user.id,
      });
      queued += 1;
    }
  });
  return { queued };
}

export const listUsersQuerySchema = z.object({ state: z.enum(userStates).optional() });

/** What the admin API shows of a user: state and reasons, nothing personal. */
export type UserStatus = Pick<
  WatchedUser,
  | 'id'
  | 'enabled'
  | 'state'
  | 'errorReason'
  | 'consecutiveFailures'
  | 'nextRetryAt'
  | 'subscriptionExpiresAt'
  | 'activatedAt'
  | 'updatedAt'
  | 'authorization'
  | 'reauthorizationAskedAt'
> & {
  /** For a connected user in Error: the link that connects their calendar again (else null). */
  reconnectUrl: string | null;
};

/** The reconnect link of a connected user, when there should be one. */
export type ReconnectUrlOf = (user: WatchedUser) => Promise<string | null>;

export async function listUsers(
  context: WatchContext,
  tenantId: string,
  state?: WatchedUser['state'],
  reconnectUrlOf: ReconnectUrlOf = async () => null,
): Promise<UserStatus[]> {
  const users = await context.users.inTenant(tenantId, state);
  const links = await Promise.all(users.map((user) => reconnectUrlOf(user)));
  // Each field named once: nothing of the record beyond these reaches the answer.
  return users.map((user, index) => ({
    id: user.id,
    enabled: user.enabled,
    state: user.state,
    errorReason: user.errorReason,
    consecutiveFailures: user.consecutiveFailures,
    nextRetryAt: user.nextRetryAt,
    subscriptionExpiresAt: user.subscriptionExpiresAt,
    activatedAt: user.activatedAt,
    updatedAt: user.updatedAt,
    authorization: user.authorization,
    reauthorizationAskedAt: user.reauthorizationAskedAt,
    reconnectUrl: links[index] ?? null,
  }));
}
