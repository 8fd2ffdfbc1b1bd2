import { z } from 'zod';
import type { JoinNotice, PersonNotifier, PersonRecipient } from '../../notifications/joinNotifier.js';
import { callWebex } from './webexApi.js';
import { webexJoinMessage } from './webexJoinCard.js';

const createdMessageSchema = z.object({ id: z.string() });

/** Join notifications to people as 1:1 Webex messages from the service's bot (`POST /v1/messages`). */
export class WebexMessages implements PersonNotifier {
  readonly channel = 'webex-message' as const;
  readonly #options: { baseUrl: string; accessToken: string };

  constructor(options: { baseUrl: string; accessToken: string }) {
    this.#options = options;
  }

  async notifyPerson(notice: JoinNotice, recipient: PersonRecipient): Promise<void> {
    await callWebex(
      this.#options,
      {
        method: 'POST',
        path: '/messages',
        body: webexJoinMessage(notice, recipient),
        what: 'POST /messages',
      },
      createdMessageSchema,
    );
  }
}
