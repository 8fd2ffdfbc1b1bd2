import type { MailboxRef } from '../calendar/mailbox.js';

/** Asks for a mailbox's window to be reconciled now (the watch's `reconcile` request). */
export type RequestReconciliation = (mailbox: MailboxRef) => Promise<void>;

/**
 * Remembers the mailboxes whose decoration waited on the join service (Webex) while it was failing,
 * and asks for their reconciliation on the first success after: their meetings are decorated as soon
 * as Webex is back, not when their scheduled retries or the next reconciliation period come round.
 * Per instance and bounded: a mailbox beyond the bound still heals through its retries and the
 * periodic reconciliation.
 */
export class JoinServiceRecovery {
  readonly #waiting = new Map<string, MailboxRef>();
  readonly #request: RequestReconciliation;
  readonly #limit: number;

  constructor(request: RequestReconciliation, limit = 10_000) {
    this.#request = request;
    this.#limit = limit;
  }

  /** The join service failed (transiently) while this mailbox's meeting needed it. */
  failed(mailbox: MailboxRef): void {
    const key = `${mailbox.tenantId}/${mailbox.userId}`.toLowerCase();
    if (this.#waiting.has(key) || this.#waiting.size >= this.#limit) return;
    this.#waiting.set(key, mailbox);
  }

  /** The join service answered: every mailbox that waited on it is reconciled once. */
  async succeeded(): Promise<number> {
    if (this.#waiting.size === 0) return 0;
    const recovered = [...this.#waiting.values()];
    this.#waiting.clear();
    await Promise.all(recovered.map((mailbox) => this.#request(mailbox)));
    return recovered.length;
  }
}
