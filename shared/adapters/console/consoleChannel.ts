import type {
  IntegrationNotifier,
  JoinNotice,
  PersonNotifier,
  PersonRecipient,
} from '../../notifications/joinNotifier.js';

/**
 * Local runs: prints what would be sent, one line each. No e-mail address or title: recipients by
 * their opaque key, meetings by their key. (Presence is printed by the local stack's presence log.)
 */
export class ConsoleChannel implements PersonNotifier, IntegrationNotifier {
  readonly channel = 'console' as const;
  readonly #print: (line: string) => void;

  constructor(print: (line: string) => void = (line) => console.log(line)) {
    this.#print = print;
  }

  async notifyPerson(notice: JoinNotice, recipient: PersonRecipient): Promise<void> {
    this.#print(
      `[join] ${notice.start} meeting ${notice.meetingKey.slice(0, 12)} → ${recipient.key.slice(0, 19)} (${recipient.language})${notice.join.sipAddress ? ' sip' : ''}${notice.join.link ? ' link' : ''}`,
    );
  }

  async notifyIntegrations(notice: JoinNotice): Promise<void> {
    this.#print(`[join] ${notice.start} meeting ${notice.meetingKey.slice(0, 12)} → integrations`);
  }
}
