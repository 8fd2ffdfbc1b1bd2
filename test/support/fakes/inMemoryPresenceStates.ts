import type { MailboxRef } from '../../../shared/calendar/mailbox.js';
import { AppError } from '../../../shared/errors.js';
import {
  type PresenceDocument,
  type PresenceStates,
  presenceDocumentSchema,
} from '../../../shared/presence/presenceState.js';

/**
 * Presence documents in memory, with the Cosmos adapter's semantics: lower-case keys, documents
 * parsed on the way in and copied on the way out, and conditional updates that ask `change` again
 * when another writer got in between (`interleaveBeforeNextWrite` plays that other writer).
 */
export class InMemoryPresenceStates implements PresenceStates {
  readonly #stored = new Map<string, { document: PresenceDocument; version: number }>();
  readonly #interleaved: Array<() => Promise<void> | void> = [];
  /** How many writes reached the store. */
  writes = 0;

  interleaveBeforeNextWrite(write: () => Promise<void> | void): void {
    this.#interleaved.push(write);
  }

  async find(mailbox: MailboxRef): Promise<PresenceDocument | undefined> {
    const stored = this.#stored.get(keyOf(mailbox));
    return stored ? structuredClone(stored.document) : undefined;
  }

  async update(
    mailbox: MailboxRef,
    change: (current: PresenceDocument | undefined) => PresenceDocument | undefined,
  ): Promise<PresenceDocument | undefined> {
    const key = keyOf(mailbox);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const stored = this.#stored.get(key);
      const next = change(stored ? structuredClone(stored.document) : undefined);
      if (!next) return stored ? structuredClone(stored.document) : undefined;
      await this.#interleaved.shift()?.();
      if (this.#stored.get(key)?.version !== stored?.version) continue;
      const document = presenceDocumentSchema.parse(next);
      this.#stored.set(key, { document, version: (stored?.version ?? 0) + 1 });
      this.writes += 1;
      return structuredClone(document);
    }
    throw new AppError('dependency-unavailable', 'presence write: lost the race 10 times in a row');
  }
}

function keyOf(mailbox: MailboxRef): string {
  return `${mailbox.tenantId.toLowerCase()}|${mailbox.userId.toLowerCase()}`;
}
