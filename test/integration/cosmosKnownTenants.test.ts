import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { CosmosDocumentStore } from '../../shared/adapters/cosmos/cosmosDocumentStore.js';
import { CosmosKnownTenants } from '../../shared/adapters/cosmos/cosmosKnownTenants.js';
import { watchedUsers } from '../../shared/watch/watchedUser.js';
import { startTestCosmos } from '../support/embeddedCosmos.js';
import { buildWatchedUser } from '../support/watchBuilders.js';

// The health check's tenant lookup against the embedded Cosmos server: a database of its own per test.
let cosmos: EmbeddedCosmos;
const stores: CosmosDocumentStore[] = [];

beforeAll(async () => {
  cosmos = await startTestCosmos();
});

afterEach(() => {
  for (const store of stores.splice(0)) store.dispose();
});

afterAll(async () => {
  await cosmos?.stop();
});

async function buildStore(): Promise<CosmosDocumentStore> {
  const store = new CosmosDocumentStore({
    endpoint: cosmos.endpoint,
    database: `known-tenants-${crypto.randomUUID()}`,
    auth: { key: cosmos.key },
  });
  stores.push(store);
  await store.ensureContainers([watchedUsers]);
  return store;
}

describe('CosmosKnownTenants', () => {
  it('when no user is activated, then no tenant is known', async () => {
    const store = await buildStore();
    await store.collection(watchedUsers).create(buildWatchedUser({ state: 'not-activated' }));

    await expect(new CosmosKnownTenants(store).anyConsentedTenant()).resolves.toBeUndefined();
  });

  it('when a user is activated, then its tenant is known', async () => {
    const store = await buildStore();
    const tenantId = '0d9e8f7a-6b5c-4d3e-8f2a-1b0c9d8e7f6a';
    await store.collection(watchedUsers).create(buildWatchedUser({ state: 'error' }));
    await store
      .collection(watchedUsers)
      .create(buildWatchedUser({ id: 'a11ce000-0000-4000-8000-000000000001', tenantId, state: 'activated' }));

    await expect(new CosmosKnownTenants(store).anyConsentedTenant()).resolves.toBe(tenantId);
  });

  it('when the only activated user connected their own calendar, then no tenant counts as consented', async () => {
    const store = await buildStore();
    await store
      .collection(watchedUsers)
      .create(buildWatchedUser({ state: 'activated', authorization: 'delegated' }));

    await expect(new CosmosKnownTenants(store).anyConsentedTenant()).resolves.toBeUndefined();
  });
});
