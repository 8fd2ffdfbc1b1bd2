import {
  type EventTrace,
  eventTraces,
  type TraceEntry,
  type TraceKey,
  withTraceEntry,
} from '../../meetings/eventTrace.js';
import type { EventTraces } from '../../meetings/eventTraces.js';
import { writeConditionally } from '../../store/conditionalWrite.js';
import type { DocumentCollection, DocumentStore } from '../../store/documentStore.js';

/** Event traces in Cosmos DB: one document per event and user, partitioned by user. */
export class CosmosEventTraces implements EventTraces {
  readonly #documents: DocumentCollection<EventTrace>;

  constructor(store: DocumentStore) {
    this.#documents = store.collection(eventTraces);
  }

  async find(key: Pick<TraceKey, 'id' | 'userId'>): Promise<EventTrace | undefined> {
    return (await this.#documents.read(key.id, key.userId))?.value;
  }

  async append(key: TraceKey, entry: TraceEntry, lastChangeKey?: string | null): Promise<void> {
    await writeConditionally(
      this.#documents,
      { id: key.id, partitionKey: key.userId },
      (stored) => withTraceEntry(stored, key, entry, lastChangeKey),
      { what: 'trace append' },
    );
  }
}
