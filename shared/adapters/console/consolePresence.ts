import type { PresenceChange, PresencePublisher } from '../../presence/presencePublisher.js';

/**
 * Presence on the console: one line per transition, with the tenant and user object ids only (never
 * an e-mail address or a name), for local runs and until the channels that carry presence are wired.
 */
export class ConsolePresencePublisher implements PresencePublisher {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void = (line) => console.log(line)) {
    this.#write = write;
  }

  async publishPresence(change: PresenceChange): Promise<void> {
    this.#write(
      `presence ${change.state} tenant=${change.tenantId} user=${change.userId} at=${change.at} signal=${change.signal}`,
    );
  }
}
