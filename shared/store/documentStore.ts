import type { z } from 'zod';

/** A document as read from the store, with the version tag that conditional writes need. */
export interface StoredDocument<T> {
  value: T;
  etag: string;
}

/** Partial updates, applied atomically by the store. Paths are JSON pointers such as `/state`. */
export type PatchOperation =
  | { op: 'set' | 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'incr'; path: string; value: number };

export interface WriteConditions {
  /** Write only if the stored document still has this etag, else fail with `precondition-failed`. */
  ifMatch?: string;
}

/** A parameterised query; parameter names start with `@`. Values never go into the text. */
export interface QuerySpec {
  text: string;
  parameters?: ReadonlyArray<{ name: `@${string}`; value: string | number | boolean | null }>;
}

/**
 * One container of documents of one type. Every document read is parsed with the collection's schema,
 * so nothing unchecked leaves the store. Failures are `AppError`s: `already-exists`,
 * `precondition-failed`, `throttled`, `dependency-unavailable`, `input-invalid` (a stored document
 * that no longer matches its schema).
 */
export interface DocumentCollection<T extends { id: string }> {
  create(document: T): Promise<StoredDocument<T>>;
  read(id: string, partitionKey: string): Promise<StoredDocument<T> | undefined>;
  /** Replaces the whole document; with `ifMatch`, only if nobody changed it since it was read. */
  replace(document: T, conditions?: WriteConditions): Promise<StoredDocument<T>>;
  upsert(document: T): Promise<StoredDocument<T>>;
  patch(
    id: string,
    partitionKey: string,
    operations: readonly PatchOperation[],
    conditions?: WriteConditions,
  ): Promise<StoredDocument<T>>;
  /** Returns false when there was nothing to delete. */
  delete(id: string, partitionKey: string, conditions?: WriteConditions): Promise<boolean>;
  /** A query inside one partition: the cheap kind, and the only kind request paths should use. */
  queryPartition(partitionKey: string, query: QuerySpec): Promise<T[]>;
  /** A cross-partition query, for timers and admin listings. */
  queryAll(query: QuerySpec): Promise<T[]>;
}

/** How a container is laid out: what Bicep and the local stack create. */
export interface ContainerLayout {
  containerId: string;
  /** The partition key path, e.g. `/userId`: one top-level property of the document. */
  partitionKeyPath: `/${string}`;
  /**
   * Default time to live in seconds. Omitted: documents never expire. -1: documents expire only
   * when they carry their own `ttl`.
   */
  defaultTtlSeconds?: number;
}

/** What the store needs to know about a collection: its container and the schema of its documents. */
export interface CollectionDefinition<T extends { id: string }> extends ContainerLayout {
  schema: z.ZodType<T>;
}

/** The store as a whole: hands out typed collections and reports its health. */
export interface DocumentStore {
  collection<T extends { id: string }>(definition: CollectionDefinition<T>): DocumentCollection<T>;
  /** Creates the database and the containers if they do not exist (local stack and tests only). */
  ensureContainers(layouts: readonly ContainerLayout[]): Promise<void>;
  checkHealth(): Promise<void>;
}
