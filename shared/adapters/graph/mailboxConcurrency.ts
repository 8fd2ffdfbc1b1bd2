/**
 * Caps the requests in flight per mailbox. Outlook allows 4 concurrent requests per app and mailbox
 * and throttles the rest, so waiting here is cheaper than being told to wait by Graph.
 */
export class MailboxConcurrency {
  readonly #limit: number;
  readonly #lanes = new Map<string, { active: number; waiting: Array<() => void> }>();

  constructor(limit = 4) {
    this.#limit = limit;
  }

  async run<T>(mailboxKey: string, task: () => Promise<T>): Promise<T> {
    const key = mailboxKey.toLowerCase();
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { active: 0, waiting: [] };
      this.#lanes.set(key, lane);
    }
    if (lane.active >= this.#limit) {
      await new Promise<void>((resolve) => lane?.waiting.push(resolve));
    } else {
      lane.active += 1;
    }
    try {
      return await task();
    } finally {
      const next = lane.waiting.shift();
      if (next) {
        next();
      } else {
        lane.active -= 1;
        if (lane.active === 0) this.#lanes.delete(key);
      }
    }
  }

  /** Requests in flight for a mailbox, for tests and metrics. */
  active(mailboxKey: string): number {
    return this.#lanes.get(mailboxKey.toLowerCase())?.active ?? 0;
  }
}
