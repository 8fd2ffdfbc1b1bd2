import type { MailboxRef } from '../../calendar/mailbox.js';
import {
  type PresenceDocument,
  type PresenceStates,
  presenceDocuments,
} from '../../presence/presenceState.js';
import { writeConditionally } from '../../store/conditionalWrite.js';
import type { DocumentCollection, DocumentStore } from '../../store/documentStore.js';

/** Presence documents on Cosmos DB: one per user, partitioned by tenant, written with If-Match. */
export class CosmosPresenceStates implements PresenceStates {
  readonly #documents: DocumentCollection<PresenceDocument>;

  constructor(store: DocumentStore) {
    this.#documents = store.collection(presenceDocuments);
  }

  async find(mailbox: MailboxRef): Promise<PresenceDocument | undefined> {
    return (await this.#documents.read(mailbox.userId.toLowerCase(), mailbox.tenantId.toLowerCase()))?.value;
  }

  async update(
    mailbox: MailboxRef,
    change: (current: PresenceDocument | undefined) => PresenceDocument | undefined,
  ): Promise<PresenceDocument | undefined> {
    return writeConditionally(
      this.#documents,
      { id: mailbox.userId.toLowerCase(), partitionKey: mailbox.tenantId.toLowerCase() },
      change,
      { what: 'presence write' },
    );
  }
}
