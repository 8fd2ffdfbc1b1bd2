import type { TimeWindow } from '../../calendar/mailbox.js';
import type { PresenceReadingResult, PresenceSource } from '../../presence/presenceSource.js';
import type { CalendarGateway } from './calendarGateway.js';
import { isUserKey } from './graphIds.js';
import {
  automaticRepliesStepId,
  outOfOfficeEventsStepId,
  presenceFromBatchResults,
  presenceSteps,
} from './presenceMapping.js';

/**
 * Presence on Microsoft Graph: two `$batch` steps per user (automatic replies, and the calendar view
 * of the window for events shown as out of office), 20 steps a request as the gateway sends them,
 * with its retries, 429 handling and app tokens. Graph has no change notifications for mailbox
 * settings, so this is polled.
 */
export class GraphPresenceSource implements PresenceSource {
  readonly #gateway: Pick<CalendarGateway, 'batch'>;

  constructor(gateway: Pick<CalendarGateway, 'batch'>) {
    this.#gateway = gateway;
  }

  async readPresence(
    tenantId: string,
    userIds: readonly string[],
    eventWindow: TimeWindow,
  ): Promise<Map<string, PresenceReadingResult>> {
    const results = new Map<string, PresenceReadingResult>();
    const users = [...new Set(userIds)];
    const readable = users.filter((userId) => {
      // An id Graph never issues cannot be put into a URL: that user's result, not the batch's.
      if (!isUserKey(userId)) results.set(userId, { outcome: 'failed', code: 'input-invalid' });
      return isUserKey(userId);
    });
    if (readable.length === 0) return results;
    // A user's two steps sit next to each other, so they travel in the same request of 20.
    const answers = await this.#gateway.batch(
      tenantId,
      readable.flatMap((userId, index) => presenceSteps(index, userId, eventWindow)),
    );
    readable.forEach((userId, index) => {
      results.set(
        userId,
        presenceFromBatchResults(
          answers.get(automaticRepliesStepId(index)),
          answers.get(outOfOfficeEventsStepId(index)),
        ),
      );
    });
    return results;
  }
}
