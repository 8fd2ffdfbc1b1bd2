import { afterAll, afterEach, beforeAll } from 'vitest';
import type { EmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { CosmosDocumentStore } from '../../shared/adapters/cosmos/cosmosDocumentStore.js';
import { CosmosEventTraces } from '../../shared/adapters/cosmos/cosmosEventTraces.js';
import { CosmosMeetingRecords } from '../../shared/adapters/cosmos/cosmosMeetingRecords.js';
import { CosmosTenantSettings } from '../../shared/adapters/cosmos/cosmosTenantSettings.js';
import { containerLayouts } from '../../shared/store/containers.js';
import { startTestCosmos } from '../support/embeddedCosmos.js';
import { describeMeetingRepositoriesContract } from '../support/meetingRepositoriesContract.js';

// The Cosmos adapters of the meetings side against the embedded Cosmos server, with all their SQL:
// a database of their own for every test.
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

describeMeetingRepositoriesContract('the Cosmos adapters', async () => {
  const store = new CosmosDocumentStore({
    endpoint: cosmos.endpoint,
    database: `meetings-${crypto.randomUUID()}`,
    auth: { key: cosmos.key },
  });
  stores.push(store);
  await store.ensureContainers([
    containerLayouts.meetings,
    containerLayouts.traces,
    containerLayouts.tenants,
  ]);
  return {
    records: new CosmosMeetingRecords(store),
    traces: new CosmosEventTraces(store),
    tenantSettings: new CosmosTenantSettings(store),
  };
});
