import type { JoinNotice, PersonRecipient } from '../../notifications/joinNotifier.js';
import { joinNotificationText } from '../../notifications/joinWords.js';

/** Webex caps a message's text and markdown at 7,439 bytes; the title is cut well before that. */
const maxTitleLength = 500;

/** The address the Join button opens: the meeting's link, else its SIP address as a `sip:` URI. */
export function joinUrlOf(join: JoinNotice['join']): string {
  return join.link ?? `sip:${join.sipAddress ?? ''}`;
}

/**
 * The body of `POST /v1/messages` for one person: an adaptive card 1.3 with the title, the start time
 * and one `Action.OpenUrl` Join button, all in the recipient's language, and markdown for clients
 * that show no cards.
 */
export function webexJoinMessage(notice: JoinNotice, recipient: PersonRecipient) {
  const text = joinNotificationText(recipient.language, notice.start);
  const title = notice.title.slice(0, maxTitleLength) || text.heading;
  const url = joinUrlOf(notice.join);
  return {
    toPersonEmail: recipient.address,
    markdown: `**${escapeMarkdown(title)}**  \n${text.time}  \n[${text.join}](${url})`,
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.3',
          lang: recipient.language,
          body: [
            { type: 'TextBlock', text: text.heading, size: 'Small', isSubtle: true, wrap: true },
            // A TextBlock renders markdown too: the title is the organiser's text, escaped likewise.
            { type: 'TextBlock', text: escapeMarkdown(title), weight: 'Bolder', size: 'Medium', wrap: true },
            { type: 'TextBlock', text: text.time, wrap: true },
          ],
          actions: [{ type: 'Action.OpenUrl', title: text.join, url }],
        },
      },
    ],
  };
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|>~])/g, '\\$1');
}
