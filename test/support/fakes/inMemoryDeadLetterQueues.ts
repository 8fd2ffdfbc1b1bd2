import { type DeadLetterQueues, redriveCopy } from '../../../shared/bus/deadLetterRedrive.js';
import type { OutgoingMessage, ReceivedMessage } from '../../../shared/bus/messageBus.js';

type Letter = Pick<ReceivedMessage, 'body' | 'messageId' | 'applicationProperties'>;

/** Dead-letter queues in memory: letters to re-drive, and what was sent back to each queue. */
export class InMemoryDeadLetterQueues implements DeadLetterQueues {
  readonly #letters = new Map<string, Letter[]>();
  readonly sent: Array<{ queue: string; message: OutgoingMessage }> = [];

  deadLetter(queue: string, letter: Letter): void {
    this.#letters.set(queue, [...(this.#letters.get(queue) ?? []), letter]);
  }

  lettersOf(queue: string): Letter[] {
    return [...(this.#letters.get(queue) ?? [])];
  }

  async redrive(queue: string, messageIds: readonly string[]): Promise<string[]> {
    const wanted = new Set(messageIds);
    const redriven: string[] = [];
    const left: Letter[] = [];
    for (const letter of this.#letters.get(queue) ?? []) {
      if (letter.messageId !== undefined && wanted.delete(letter.messageId)) {
        this.sent.push({ queue, message: redriveCopy(letter) });
        redriven.push(letter.messageId);
      } else {
        left.push(letter);
      }
    }
    this.#letters.set(queue, left);
    return redriven;
  }
}
