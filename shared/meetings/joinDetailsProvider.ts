import type { JoinDetails } from './joinBlock.js';

/**
 * Where join details come from (Webex). Failures: `dependency-unavailable` and `throttled` (retry),
 * `not-found` (no Personal Room for that host), `unauthorized`.
 */
export interface JoinDetailsProvider {
  /** The host's Personal Room, for `@webex`. */
  personalRoom(hostEmail: string): Promise<JoinDetails>;
  /** A space with the invitees as members and its meeting, for `@meet`. */
  spaceMeeting(title: string, memberEmails: readonly string[]): Promise<JoinDetails & { spaceId: string }>;
  /** Adds to a space the invitees it does not have yet; returns how many were added. Nobody is removed. */
  addMissingMembers(spaceId: string, memberEmails: readonly string[]): Promise<number>;
}
