import type { TimeWindow } from '../calendar/mailbox.js';
import type { PresenceReading } from './presenceReading.js';

/** What reading one user's presence gave: the reading, or why there is none this time. */
export type PresenceReadingResult =
  | { outcome: 'read'; reading: PresenceReading }
  /** Graph answered for this user with an error that another poll may not repeat (gone, no consent). */
  | { outcome: 'failed'; code: string };

/**
 * Where presence is read from (Microsoft Graph in production): each user's automatic replies and the
 * events shown as out of office in the window, for many users of a tenant at once. A failure of the
 * whole read is thrown (`throttled`, `dependency-unavailable`, `unauthorized`); a failure for one user
 * is that user's result.
 */
export interface PresenceSource {
  readPresence(
    tenantId: string,
    userIds: readonly string[],
    eventWindow: TimeWindow,
  ): Promise<Map<string, PresenceReadingResult>>;
}
