import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalFileKeyWrapper } from '../../dev/localKeyWrapper.js';
import { DataKeyRing, dataKeys, EnvelopeCipher } from '../../shared/crypto/envelopeEncryption.js';
import { offboardTenant } from '../../shared/onboarding/offboarding.js';
import { allContainerLayouts } from '../../shared/store/containers.js';
import type { CollectionDefinition, DocumentStore } from '../../shared/store/documentStore.js';
import { ManualClock } from '../../shared/time/clock.js';
import { freshCosmosDatabases } from '../support/embeddedCosmos.js';

// Offboarding that fails in its key phase, after every other document of the tenant is gone: the
// rerun must still find the users' data keys (no other container names those users any more).
const freshStore = freshCosmosDatabases();
const tenantId = 'b5e8f3a2-7d4c-4f9b-8a6e-2c3d4e5f6a71';
const userIds = ['3a0e5c9b-0001-4d4a-8b8f-6c7d8e9fa001', '3a0e5c9b-0002-4d4a-8b8f-6c7d8e9fa002'];

const watchedUserSchema = z.looseObject({ id: z.string(), tenantId: z.string() });

/** The store, with deletes of data keys refused while `failKeyDeletes` is set. */
function failingKeyDeletes(store: DocumentStore): DocumentStore & { failKeyDeletes: boolean } {
  const failing = {
    failKeyDeletes: true,
    collection<T extends { id: string }>(definition: CollectionDefinition<T>) {
      const collection = store.collection(definition);
      if (definition.containerId !== dataKeys.containerId) return collection;
      return {
        ...collection,
        read: collection.read.bind(collection),
        queryPartition: collection.queryPartition.bind(collection),
        queryAll: collection.queryAll.bind(collection),
        delete: async (id: string, partitionKey: string) => {
          if (failing.failKeyDeletes) throw new Error('Cosmos went away');
          return collection.delete(id, partitionKey);
        },
      };
    },
    ensureContainers: store.ensureContainers.bind(store),
    checkHealth: store.checkHealth.bind(store),
  };
  return failing;
}

describe('offboarding run again after a failure in its key phase', () => {
  it('when the first run fails after deleting the other documents, then the rerun still destroys every data key of the tenant', async () => {
    const store = await freshStore('offboarding-rerun', allContainerLayouts);
    const wrapper = new LocalFileKeyWrapper(join(await mkdtemp(join(tmpdir(), 'offboarding-')), 'key.json'));
    const keyCollection = store.collection(dataKeys);
    const cipher = new EnvelopeCipher(
      new DataKeyRing({ wrapper, keys: keyCollection, clock: new ManualClock('2026-11-22T10:00:00Z') }),
    );
    const users = store.collection({
      containerId: 'users',
      partitionKeyPath: '/tenantId',
      schema: watchedUserSchema,
    });
    for (const userId of userIds) {
      await users.create({ id: userId, tenantId });
      await cipher.seal(userId, `record-of-${userId}`, { subject: 'sealed' });
    }
    await cipher.seal(tenantId, 'cloud-event-secrets', { secret: 'sealed' });
    const keysOfTenant = async () =>
      (
        await Promise.all(
          [tenantId, ...userIds].map((owner) =>
            keyCollection.queryPartition(owner, { text: 'SELECT * FROM c' }),
          ),
        )
      ).flat();
    expect(await keysOfTenant()).toHaveLength(3);

    const failing = failingKeyDeletes(store);
    const context = {
      store: failing,
      subscriptions: { list: async () => [], delete: async () => {} },
      forgetCached: () => {},
    };
    await expect(offboardTenant(context, tenantId)).rejects.toThrow('Cosmos went away');
    expect(await users.queryPartition(tenantId, { text: 'SELECT * FROM c' })).toEqual([]);
    expect(await keysOfTenant()).toHaveLength(3);

    failing.failKeyDeletes = false;
    const report = await offboardTenant(context, tenantId);

    expect(report.removed.dataKeys).toBe(3);
    expect(await keysOfTenant()).toEqual([]);
    // The record of the owners is gone too: nothing of the tenant is left in `tenants`.
    const tenants = store.collection({
      containerId: 'tenants',
      partitionKeyPath: '/id',
      schema: z.looseObject({ id: z.string() }),
    });
    expect(await tenants.queryAll({ text: 'SELECT * FROM c' })).toEqual([]);
  });
});
