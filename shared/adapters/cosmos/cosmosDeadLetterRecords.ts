import {
  type DeadLetterFilter,
  type DeadLetterRecord,
  type DeadLetterRecords,
  deadLetterRecords,
} from '../../bus/deadLetterRecords.js';
import type { DocumentCollection, DocumentStore, QuerySpec } from '../../store/documentStore.js';

/** Dead-letter records in Cosmos DB, partitioned by queue; the container's TTL removes them after 14 days. */
export class CosmosDeadLetterRecords implements DeadLetterRecords {
  readonly #documents: DocumentCollection<DeadLetterRecord>;

  constructor(store: DocumentStore) {
    this.#documents = store.collection(deadLetterRecords);
  }

  async save(record: DeadLetterRecord): Promise<void> {
    await this.#documents.upsert(record);
  }

  async remove(record: Pick<DeadLetterRecord, 'id' | 'queue'>): Promise<void> {
    await this.#documents.delete(record.id, record.queue);
  }

  async list(filter: DeadLetterFilter): Promise<DeadLetterRecord[]> {
    const query: QuerySpec =
      filter.reason === undefined
        ? {
            text: 'SELECT * FROM c WHERE c.tenantId = @tenantId',
            parameters: [{ name: '@tenantId', value: filter.tenantId }],
          }
        : {
            text: 'SELECT * FROM c WHERE c.tenantId = @tenantId AND c.reason = @reason',
            parameters: [
              { name: '@tenantId', value: filter.tenantId },
              { name: '@reason', value: filter.reason },
            ],
          };
    // Few records (14 days of failures), across a handful of queue partitions: sorted here.
    const found = await this.#documents.queryAll(query);
    return found.sort((a, b) => b.deadLetteredAt.localeCompare(a.deadLetteredAt));
  }
}
