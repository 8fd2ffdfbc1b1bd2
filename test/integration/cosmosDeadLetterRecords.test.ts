import { afterAll, afterEach, beforeAll } from 'vitest';
import type { EmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { CosmosDeadLetterRecords } from '../../shared/adapters/cosmos/cosmosDeadLetterRecords.js';
import { CosmosDocumentStore } from '../../shared/adapters/cosmos/cosmosDocumentStore.js';
import { containerLayouts } from '../../shared/store/containers.js';
import { describeDeadLetterRecordsContract } from '../support/deadLetterRecordsContract.js';
import { startTestCosmos } from '../support/embeddedCosmos.js';

// The dead-letter records' SQL against the embedded Cosmos server: a database of its own per test.
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

describeDeadLetterRecordsContract('the Cosmos adapter', async () => {
  const store = new CosmosDocumentStore({
    endpoint: cosmos.endpoint,
    database: `dead-letters-${crypto.randomUUID()}`,
    auth: { key: cosmos.key },
  });
  stores.push(store);
  await store.ensureContainers([containerLayouts.deadLetters]);
  return new CosmosDeadLetterRecords(store);
});
