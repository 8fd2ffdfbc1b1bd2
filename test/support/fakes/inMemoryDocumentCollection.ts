import { AppError } from '../../../shared/errors.js';
import type {
  CollectionDefinition,
  DocumentCollection,
  StoredDocument,
  WriteConditions,
} from '../../../shared/store/documentStore.js';

/**
 * One container in memory, for use-case unit tests: creates, reads and conditional writes with
 * etags as Cosmos does them; documents are parsed with the collection's schema on the way in and out.
 * Queries are not modelled (tests that need them use the embedded Cosmos).
 */
export class InMemoryDocumentCollection<T extends { id: string }> implements DocumentCollection<T> {
  readonly #definition: CollectionDefinition<T>;
  readonly #documents = new Map<string, StoredDocument<T>>();
  #etag = 0;
  /** Every write that changed something, in order: what a "nothing was written" test looks at. */
  readonly writes: Array<{ op: string; id: string }> = [];

  constructor(definition: CollectionDefinition<T>) {
    this.#definition = definition;
  }

  #partitionKeyOf(document: T): string {
    const field = this.#definition.partitionKeyPath.slice(1);
    return String((document as Record<string, unknown>)[field]);
  }

  #key(id: string, partitionKey: string): string {
    return `${partitionKey}|${id}`;
  }

  #store(document: T, op: string): StoredDocument<T> {
    const value = this.#definition.schema.parse(structuredClone(document));
    const stored = { value, etag: `"${++this.#etag}"` };
    this.#documents.set(this.#key(value.id, this.#partitionKeyOf(value)), stored);
    this.writes.push({ op, id: value.id });
    return { value: structuredClone(value), etag: stored.etag };
  }

  /** Every stored document, for assertions. */
  all(): T[] {
    return [...this.#documents.values()].map((stored) => structuredClone(stored.value));
  }

  async create(document: T): Promise<StoredDocument<T>> {
    if (this.#documents.has(this.#key(document.id, this.#partitionKeyOf(document))))
      throw new AppError('already-exists', 'exists');
    return this.#store(document, 'create');
  }

  async read(id: string, partitionKey: string): Promise<StoredDocument<T> | undefined> {
    const stored = this.#documents.get(this.#key(id, partitionKey));
    return stored ? { value: structuredClone(stored.value), etag: stored.etag } : undefined;
  }

  async replace(document: T, conditions: WriteConditions = {}): Promise<StoredDocument<T>> {
    const current = this.#documents.get(this.#key(document.id, this.#partitionKeyOf(document)));
    if (!current) throw new AppError('not-found', 'missing');
    if (conditions.ifMatch !== undefined && conditions.ifMatch !== current.etag)
      throw new AppError('precondition-failed', 'changed');
    return this.#store(document, 'replace');
  }

  async upsert(document: T): Promise<StoredDocument<T>> {
    return this.#store(document, 'upsert');
  }

  async patch(): Promise<StoredDocument<T>> {
    throw new Error('patch is not modelled by the in-memory collection');
  }

  async delete(id: string, partitionKey: string): Promise<boolean> {
    const deleted = this.#documents.delete(this.#key(id, partitionKey));
    if (deleted) this.writes.push({ op: 'delete', id });
    return deleted;
  }

  async queryPartition(): Promise<T[]> {
    throw new Error('queries are not modelled by the in-memory collection');
  }

  async queryAll(): Promise<T[]> {
    throw new Error('queries are not modelled by the in-memory collection');
  }
}
