import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LocalFileKeyWrapper } from '../../dev/localKeyWrapper.js';
import { isReauthorizationRequired } from '../../shared/calendar/tokenProvider.js';
import { SealedTokenCaches, tokenCaches } from '../../shared/connect/sealedTokenCaches.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from '../../shared/crypto/envelopeEncryption.js';
import type { DocumentCollection } from '../../shared/store/documentStore.js';
import { ManualClock } from '../../shared/time/clock.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';

// The sealed token caches on the embedded Cosmos: a refresh never re-creates a purged cache.
const freshStore = freshCosmosDatabases();
let wrapper: LocalFileKeyWrapper;
const account = { userId: 'c0ffee00-0000-4000-8000-000000000001', tenantId: 'tenant', homeAccountId: 'home' };

beforeAll(async () => {
  wrapper = new LocalFileKeyWrapper(join(await mkdtemp(join(tmpdir(), 'caches-')), 'key.json'));
});

/**
 * The collection with a purge slipped in after a read: what happens when the purge runs between a
 * refresh's read and its write.
 */
function purgedAfterRead<T extends { id: string }>(documents: DocumentCollection<T>): DocumentCollection<T> {
  return new Proxy(documents, {
    get(target, property, receiver) {
      if (property !== 'read') {
        const member = Reflect.get(target, property, receiver);
        // The collection's methods use private fields: they run on the collection itself.
        return typeof member === 'function' ? member.bind(target) : member;
      }
      return async (id: string, partitionKey: string) => {
        const stored = await target.read(id, partitionKey);
        await target.delete(id, partitionKey);
        return stored;
      };
    },
  });
}

async function buildCaches() {
  const store = await freshStore('caches', [tokenCaches, dataKeys]);
  const clock = new ManualClock('2026-11-22T10:00:00Z');
  const cipher = new EnvelopeCipher(new DataKeyRing({ wrapper, keys: store.collection(dataKeys), clock }));
  const documents = store.collection(tokenCaches);
  return {
    documents,
    caches: new SealedTokenCaches({ documents, cipher, clock }),
    racing: new SealedTokenCaches({ documents: purgedAfterRead(documents), cipher, clock }),
  };
}

describe('sealed token caches', () => {
  it('when a refresh saves the cache, then it replaces the connected one and keeps its login hint', async () => {
    const { caches } = await buildCaches();
    await caches.save({ ...account, loginHint: 'user@contoso.example' }, 'connected');

    await caches.save(account, 'refreshed');

    expect(await caches.load(account.userId)).toBe('refreshed');
    expect(await caches.loginHint(account.userId)).toBe('user@contoso.example');
  });

  it('when the cache is purged between a refresh’s read and its write, then the refresh is refused and nothing is re-created', async () => {
    const { caches, racing, documents } = await buildCaches();
    await caches.save({ ...account, loginHint: 'user@contoso.example' }, 'connected');

    const refused = await racing.save(account, 'refreshed').catch((error: unknown) => error);

    expect(isReauthorizationRequired(refused)).toBe(true);
    expect(await documents.read(account.userId, account.userId)).toBeUndefined();
  });

  it('when a refresh finds no cache, then it is refused; connecting again creates one', async () => {
    const { caches } = await buildCaches();

    const refused = await caches.save(account, 'refreshed').catch((error: unknown) => error);
    await caches.save({ ...account, loginHint: 'user@contoso.example' }, 'reconnected');

    expect(isReauthorizationRequired(refused)).toBe(true);
    expect(await caches.load(account.userId)).toBe('reconnected');
  });
});
