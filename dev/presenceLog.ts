import { ConsolePresencePublisher } from '../shared/adapters/console/consolePresence.js';
import type { PresenceChange, PresencePublisher } from '../shared/presence/presencePublisher.js';

/**
 * The local stack's presence channel: each change printed on the console (object ids only) and kept
 * in order, for `GET /admin/presence`, so scripts and tests can read what was published.
 */
export class PresenceLog implements PresencePublisher {
  readonly #console: ConsolePresencePublisher;
  readonly #published: PresenceChange[] = [];

  constructor(write?: (line: string) => void) {
    this.#console = new ConsolePresencePublisher(write);
  }

  async publishPresence(change: PresenceChange): Promise<void> {
    this.#published.push(structuredClone(change));
    await this.#console.publishPresence(change);
  }

  /** Every change published since the stack started, oldest first. */
  published(): PresenceChange[] {
    return structuredClone(this.#published);
  }
}
