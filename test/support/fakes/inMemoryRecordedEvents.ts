import type { MailboxRef, TimeWindow } from '../../../shared/calendar/mailbox.js';
import type { RecordedEvents } from '../../../shared/watch/recordedEvents.js';

/** The records' event ids per user, in memory; every record counts as inside the window. */
export class InMemoryRecordedEvents implements RecordedEvents {
  readonly #byUser = new Map<string, Set<string>>();
  readonly windows: TimeWindow[] = [];

  record(mailbox: MailboxRef, eventId: string): void {
    const key = mailbox.userId.toLowerCase();
    this.#byUser.set(key, new Set([...(this.#byUser.get(key) ?? []), eventId]));
  }

  async eventIdsIn(mailbox: MailboxRef, window: TimeWindow): Promise<string[]> {
    this.windows.push(window);
    return [...(this.#byUser.get(mailbox.userId.toLowerCase()) ?? [])];
  }
}
