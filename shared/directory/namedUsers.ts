import { isAppError } from '../errors.js';
import type { UserName, UserNames } from './userNames.js';

/** Listed users with their names, or why the names could not be read (the list is shown anyway). */
export interface NamedUsers<T> {
  users: Array<T & UserName>;
  /** Null when the directory answered; otherwise the error code, e.g. `throttled`. */
  namesUnavailable: string | null;
}

/**
 * Adds each user's display name and mail, read from the directory now. The names go to the
 * administrator's screen only; a directory failure leaves them null rather than failing the list.
 */
export async function withNames<T extends { id: string }>(
  userNames: UserNames,
  tenantId: string,
  users: readonly T[],
): Promise<NamedUsers<T>> {
  let names = new Map<string, UserName>();
  let namesUnavailable: string | null = null;
  try {
    names = await userNames.namesOf(
      tenantId,
      users.map((user) => user.id),
    );
  } catch (error) {
    namesUnavailable = isAppError(error) ? error.code : 'unexpected';
  }
  return {
    users: users.map((user) => ({
      ...user,
      displayName: names.get(user.id)?.displayName ?? null,
      mail: names.get(user.id)?.mail ?? null,
    })),
    namesUnavailable,
  };
}
