import {
  type Container,
  CosmosClient,
  type CosmosClientOptions,
  type PatchOperation as CosmosPatchOperation,
  type Database,
  ErrorResponse,
  type RequestOptions,
} from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';
import { AppError } from '../../errors.js';
import type {
  CollectionDefinition,
  ContainerLayout,
  DocumentCollection,
  DocumentStore,
  PatchOperation,
  QuerySpec,
  StoredDocument,
  WriteConditions,
} from '../../store/documentStore.js';

export interface CosmosStoreOptions {
  endpoint: string;
  database: string;
  /** An account key (emulators and the local stack), or an Entra ID credential (Azure). */
  auth: { key: string } | { credential: TokenCredential };
}

/** Maps a Cosmos failure to the service's typed errors; the original stays as `cause`. */
export function toStoreError(error: unknown, action: string): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ErrorResponse) {
    const status = typeof error.code === 'number' ? error.code : Number(error.code);
    const options = { cause: error, retryAfterMs: error.retryAfterInMs };
    if (status === 404) return new AppError('not-found', `${action}: not found`, options);
    if (status === 409)
      return new AppError('already-exists', `${action}: a document with that id exists`, options);
    if (status === 412)
      return new AppError(
        'precondition-failed',
        `${action}: the document changed since it was read`,
        options,
      );
    if (status === 429) return new AppError('throttled', `${action}: Cosmos DB is throttling`, options);
    if (status === 400)
      return new AppError('input-invalid', `${action}: Cosmos DB rejected the request`, options);
  }
  return new AppError('dependency-unavailable', `${action}: Cosmos DB failed`, { cause: error });
}

function requestOptions(conditions: WriteConditions | undefined): RequestOptions {
  return conditions?.ifMatch ? { accessCondition: { type: 'IfMatch', condition: conditions.ifMatch } } : {};
}

function toCosmosPatch(operation: PatchOperation): CosmosPatchOperation {
  return operation.op === 'remove' ? { op: 'remove', path: operation.path } : { ...operation };
}

class CosmosCollection<T extends { id: string }> implements DocumentCollection<T> {
  readonly #container: Container;
  readonly #definition: CollectionDefinition<T>;
  readonly #partitionKeyProperty: string;

  constructor(container: Container, definition: CollectionDefinition<T>) {
    this.#container = container;
    this.#definition = definition;
    this.#partitionKeyProperty = definition.partitionKeyPath.slice(1);
  }

  /** Parses what Cosmos returned; a document that fails its schema is reported, never passed on. */
  #parse(resource: unknown, action: string): T {
    const parsed = this.#definition.schema.safeParse(resource);
    if (!parsed.success) {
      throw new AppError(
        'input-invalid',
        `${action}: stored ${this.#definition.containerId} document does not match its schema: ${parsed.error.issues
          .map((issue) => `${issue.path.join('.')} ${issue.message}`)
          .join('; ')}`,
      );
    }
    return parsed.data;
  }

  #stored(resource: unknown, etag: string | undefined, action: string): StoredDocument<T> {
    if (resource === undefined || etag === undefined) {
      throw new AppError('dependency-unavailable', `${action}: Cosmos DB returned no document`);
    }
    return { value: this.#parse(resource, action), etag };
  }

  #partitionKeyOf(document: T): string {
    const value = (document as Record<string, unknown>)[this.#partitionKeyProperty];
    if (typeof value !== 'string' || value === '') {
      throw new AppError(
        'input-invalid',
        `${this.#definition.containerId} document has no ${this.#partitionKeyProperty}`,
      );
    }
    return value;
  }

  /** Validates before writing, so an invalid document never reaches the store. */
  #validated(document: T, action: string): T {
    this.#parse(document, action);
    this.#partitionKeyOf(document);
    return document;
  }

  async create(document: T): Promise<StoredDocument<T>> {
    const action = `create ${this.#definition.containerId}`;
    try {
      const response = await this.#container.items.create(this.#validated(document, action));
      return this.#stored(response.resource, response.etag, action);
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  async read(id: string, partitionKey: string): Promise<StoredDocument<T> | undefined> {
    const action = `read ${this.#definition.containerId}`;
    let response: Awaited<ReturnType<ReturnType<Container['item']>['read']>>;
    try {
      response = await this.#container.item(id, partitionKey).read();
    } catch (error) {
      const mapped = toStoreError(error, action);
      if (mapped.code === 'not-found') return undefined;
      throw mapped;
    }
    if (response.statusCode === 404 || response.resource === undefined) return undefined;
    return this.#stored(response.resource, response.etag, action);
  }

  async replace(document: T, conditions?: WriteConditions): Promise<StoredDocument<T>> {
    const action = `replace ${this.#definition.containerId}`;
    try {
      const valid = this.#validated(document, action);
      const response = await this.#container
        .item(valid.id, this.#partitionKeyOf(valid))
        .replace(valid, requestOptions(conditions));
      return this.#stored(response.resource, response.etag, action);
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  async upsert(document: T): Promise<StoredDocument<T>> {
    const action = `upsert ${this.#definition.containerId}`;
    try {
      const response = await this.#container.items.upsert(this.#validated(document, action));
      return this.#stored(response.resource, response.etag, action);
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  async patch(
    id: string,
    partitionKey: string,
    operations: readonly PatchOperation[],
    conditions?: WriteConditions,
  ): Promise<StoredDocument<T>> {
    const action = `patch ${this.#definition.containerId}`;
    try {
      const response = await this.#container
        .item(id, partitionKey)
        .patch(operations.map(toCosmosPatch), requestOptions(conditions));
      return this.#stored(response.resource, response.etag, action);
    } catch (error) {
      throw toStoreError(error, action);
    }
  }

  async delete(id: string, partitionKey: string, conditions?: WriteConditions): Promise<boolean> {
    const action = `delete ${this.#definition.containerId}`;
    try {
      await this.#container.item(id, partitionKey).delete(requestOptions(conditions));
      return true;
    } catch (error) {
      const mapped = toStoreError(error, action);
      if (mapped.code === 'not-found') return false;
      throw mapped;
    }
  }

  async queryPartition(partitionKey: string, query: QuerySpec): Promise<T[]> {
    return this.#query(query, partitionKey);
  }

  async queryAll(query: QuerySpec): Promise<T[]> {
    return this.#query(query, undefined);
  }

  async #query(query: QuerySpec, partitionKey: string | undefined): Promise<T[]> {
    const action = `query ${this.#definition.containerId}`;
    try {
      const { resources } = await this.#container.items
        .query(
          { query: query.text, parameters: query.parameters ? [...query.parameters] : [] },
          partitionKey === undefined ? {} : { partitionKey },
        )
        .fetchAll();
      // Cosmos DB scopes the query to the partition already; checking again keeps the promise
      // (no other partition's documents, ever) on servers that ignore the header, such as the
      // embedded one, and it costs nothing.
      const scoped =
        partitionKey === undefined
          ? resources
          : resources.filter(
              (resource: unknown) =>
                (resource as Record<string, unknown>)[this.#partitionKeyProperty] === partitionKey,
            );
      return scoped.map((resource: unknown) => this.#parse(resource, action));
    } catch (error) {
      throw toStoreError(error, action);
    }
  }
}

/** The document store on Azure Cosmos DB (NoSQL API), through the official SDK. */
export class CosmosDocumentStore implements DocumentStore {
  readonly #client: CosmosClient;
  readonly #database: Database;
  readonly #databaseId: string;

  constructor(options: CosmosStoreOptions) {
    const clientOptions: CosmosClientOptions =
      'key' in options.auth
        ? { endpoint: options.endpoint, key: options.auth.key }
        : { endpoint: options.endpoint, aadCredentials: options.auth.credential };
    this.#client = new CosmosClient(clientOptions);
    this.#databaseId = options.database;
    this.#database = this.#client.database(options.database);
  }

  collection<T extends { id: string }>(definition: CollectionDefinition<T>): DocumentCollection<T> {
    return new CosmosCollection(this.#database.container(definition.containerId), definition);
  }

  async ensureContainers(layouts: readonly ContainerLayout[]): Promise<void> {
    try {
      const { database } = await this.#client.databases.createIfNotExists({ id: this.#databaseId });
      for (const layout of layouts) {
        await database.containers.createIfNotExists({
          id: layout.containerId,
          partitionKey: { paths: [layout.partitionKeyPath] },
          ...(layout.defaultTtlSeconds === undefined ? {} : { defaultTtl: layout.defaultTtlSeconds }),
        });
      }
    } catch (error) {
      throw toStoreError(error, 'create containers');
    }
  }

  async checkHealth(): Promise<void> {
    try {
      await this.#database.read();
    } catch (error) {
      throw toStoreError(error, 'read database');
    }
  }

  dispose(): void {
    this.#client.dispose();
  }
}
