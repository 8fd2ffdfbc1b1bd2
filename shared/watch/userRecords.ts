import { AppError, hasErrorCode } from '../errors.js';
import type { DocumentCollection, StoredDocument } from '../store/documentStore.js';
import type { Clock } from '../time/clock.js';
import { newWatchedUser, type WatchedUser } from './watchedUser.js';

/**
 * Changes a user document with a conditional write: read, change, replace if still unchanged, and
 * start over when another worker won the race. `change` returns undefined to leave it as it is.
 * With `createIfMissing`, a missing user starts from a fresh Not-activated document.
 */
export async function updateWatchedUser(
  users: DocumentCollection<WatchedUser>,
  clock: Clock,
  key: { tenantId: string; userId: string },
  change: (user: WatchedUser) => WatchedUser | undefined,
  options: { createIfMissing?: boolean } = {},
): Promise<WatchedUser | undefined> {
  const tenantId = key.tenantId.toLowerCase();
  const userId = key.userId.toLowerCase();
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const stored: StoredDocument<WatchedUser> | undefined = await users.read(userId, tenantId);
    const current =
      stored?.value ?? (options.createIfMissing ? newWatchedUser(tenantId, userId, clock.now()) : undefined);
    if (!current) return undefined;
    const next = change(current);
    if (!next) return current;
    const stamped = { ...next, id: userId, tenantId, updatedAt: clock.now().toISOString() };
    try {
      if (stored) return (await users.replace(stamped, { ifMatch: stored.etag })).value;
      return (await users.create(stamped)).value;
    } catch (error) {
      if (hasErrorCode(error, 'precondition-failed') || hasErrorCode(error, 'already-exists')) continue;
      throw error;
    }
  }
  throw new AppError('dependency-unavailable', 'user update: too many concurrent changes');
}
