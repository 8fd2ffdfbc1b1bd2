import type { MailboxRef, TimeWindow } from '../calendar/mailbox.js';
import type { RecordedEvents } from '../watch/recordedEvents.js';
import { meetingDetailsSchema } from './meetingRecord.js';
import type { MeetingsContext } from './meetingsContext.js';

/** The watch's `RecordedEvents` over the meeting records: the event id is sealed, so each record is opened. */
export class RecordedEventIds implements RecordedEvents {
  readonly #context: Pick<MeetingsContext, 'records' | 'cipher'>;

  constructor(context: Pick<MeetingsContext, 'records' | 'cipher'>) {
    this.#context = context;
  }

  async eventIdsIn(mailbox: MailboxRef, window: TimeWindow): Promise<string[]> {
    const records = await this.#context.records.between(mailbox.userId.toLowerCase(), window);
    const ids = await Promise.all(
      records.map(
        async (record) =>
          (await this.#context.cipher.open(record.userId, record.id, record.sealed, meetingDetailsSchema))
            .eventId,
      ),
    );
    return [...new Set(ids)];
  }
}
