import type { MailboxRef, TimeWindow } from '../calendar/mailbox.js';

/**
 * What the reconciliation needs to know of the meetings side: which events a user has a meeting
 * record for. Implemented over the meeting records (they keep the event id sealed) in the
 * composition root, so the watch never reads the meetings' store itself.
 */
export interface RecordedEvents {
  /** The ids of the events the user has a record for, among records overlapping the window. */
  eventIdsIn(mailbox: MailboxRef, window: TimeWindow): Promise<string[]>;
}
