import { afterAll, afterEach, beforeAll } from 'vitest';
import type { EmbeddedCosmos } from '../../dev/embeddedCosmos.js';
import { CosmosDocumentStore } from '../../shared/adapters/cosmos/cosmosDocumentStore.js';
import { CosmosWatchedUsers } from '../../shared/adapters/cosmos/cosmosWatchedUsers.js';
import { ManualClock } from '../../shared/time/clock.js';
import { watchedUsers } from '../../shared/watch/watchedUser.js';
import { startTestCosmos } from '../support/embeddedCosmos.js';
import { watchStart } from '../support/watchBuilders.js';
import { describeWatchedUsersContract } from '../support/watchedUsersContract.js';

// The Cosmos adapter against the embedded Cosmos server: a database of its own for every test, so
// that the cross-partition queries see only that test's users.
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

describeWatchedUsersContract('the Cosmos adapter', async () => {
  const store = new CosmosDocumentStore({
    endpoint: cosmos.endpoint,
    database: `watched-users-${crypto.randomUUID()}`,
    auth: { key: cosmos.key },
  });
  stores.push(store);
  await store.ensureContainers([watchedUsers]);
  const documents = store.collection(watchedUsers);
  const clock = new ManualClock(watchStart);
  return {
    users: new CosmosWatchedUsers(documents, clock),
    clock,
    seed: async (...users) => {
      for (const user of users) await documents.upsert(user);
    },
  };
});
