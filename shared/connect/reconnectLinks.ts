import type { ReconnectUrlOf } from '../watch/enablement.js';
import type { WatchContext } from '../watch/watchContext.js';
import type { WatchedUser } from '../watch/watchedUser.js';
import { reconnectUrl } from './connectCalendar.js';
import type { SealedTokenCaches } from './sealedTokenCaches.js';

/**
 * The reconnect link of a connected user in Error: `/api/connect` with their sign-in name as
 * `login_hint` (opened from its seal only here, for the answer; never logged, never in clear in the
 * store). Users watched by admin consent, and connected users who are fine, get none.
 */
export function reconnectLinks(caches: SealedTokenCaches, publicBaseUrl: string): ReconnectUrlOf {
  return async (user: WatchedUser) => {
    if (user.authorization !== 'delegated' || user.state !== 'error') return null;
    return reconnectUrl(publicBaseUrl, await caches.loginHint(user.id));
  };
}

/** What the admin API's user list works with. */
export interface UserListContext {
  watch: WatchContext;
  reconnectUrlOf: ReconnectUrlOf;
}
