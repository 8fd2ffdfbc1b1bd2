import { AppError, hasErrorCode } from '../errors.js';
import type { DocumentCollection } from './documentStore.js';

/**
 * The one optimistic-write loop: read the document, let `change` decide the next version (undefined
 * leaves it as it is), write it back only if nobody changed it since (If-Match, or create when it
 * did not exist), and start over when another writer won. A write that keeps losing fails loudly
 * with `dependency-unavailable` (transient: the message is tried again); it is never dropped.
 */
export async function writeConditionally<T extends { id: string }>(
  collection: DocumentCollection<T>,
  key: { id: string; partitionKey: string },
  change: (current: T | undefined) => T | undefined,
  options: { attempts?: number; what?: string } = {},
): Promise<T | undefined> {
  const attempts = options.attempts ?? 10;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const stored = await collection.read(key.id, key.partitionKey);
    const next = change(stored?.value);
    if (next === undefined) return stored?.value;
    try {
      if (stored) return (await collection.replace(next, { ifMatch: stored.etag })).value;
      return (await collection.create(next)).value;
    } catch (error) {
      if (hasErrorCode(error, 'precondition-failed') || hasErrorCode(error, 'already-exists')) continue;
      throw error;
    }
  }
  throw new AppError(
    'dependency-unavailable',
    `${options.what ?? 'conditional write'}: lost the race ${attempts} times in a row`,
  );
}
